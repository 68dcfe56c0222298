"""What ``import course_utils as cu`` exposes (``course_utils/__init__.py``): every name is there, a
misspelt one is an AttributeError, and a Python that uses only the settings, the claims and the data
loader's module does not start TensorFlow."""

import subprocess
import sys

import pytest

import course_utils as cu


def test_every_exposed_name_is_there():
    for name in cu.__all__:
        assert getattr(cu, name) is not None, name
    assert set(cu.__all__) <= set(dir(cu))


def test_a_misspelt_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'lode_dataset'"):
        cu.lode_dataset  # noqa: B018


@pytest.mark.slow  # starts another Python
def test_tensorflow_starts_with_the_first_name_that_needs_it():
    code = ("import sys, course_utils as cu; cu.course_seeds(); cu.claims; cu.load_dataset; "
            "print('tensorflow' in sys.modules); cu.Progress; print('tensorflow' in sys.modules)")
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.split() == ["False", "True"]
