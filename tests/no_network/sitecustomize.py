"""Loaded by every Python started with this folder on ``PYTHONPATH`` (the test suite puts it there):
refuses the network from the process's first line when ``COURSE_NETWORK=off``
(``course_utils/network.py``, loaded by its path so that nothing else is imported), then runs the
``sitecustomize`` this one hides, if there is one."""

import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "course_network_guard", os.path.join(_here, os.pardir, os.pardir, "course_utils", "network.py"))
_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guard)
_guard.refuse_if_switched_off()

for _entry in sys.path:  # the next sitecustomize on the path, as Python would have found it without this one
    _other = os.path.join(_entry or os.curdir, "sitecustomize.py")
    if os.path.abspath(os.path.dirname(_other)) != _here and os.path.isfile(_other):
        _spec = importlib.util.spec_from_file_location("_course_hidden_sitecustomize", _other)
        _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
        break
