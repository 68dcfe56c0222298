# Two ways in: `make lab` to study, `make test` to check the course.
# Each creates .venv with the course installed on first use.
# `make test-ipywidgets7` runs the knob-panel tests on Colab's ipywidgets 7.7.1 in a second venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed
WIDGETS7 := .venv-ipywidgets7
LAB_ARGS ?=
TEST_ENV := COURSE_MODE=fast TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
# Containers and CI machines often run as root, which Jupyter refuses without this flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test test-ipywidgets7 benchmark clean

$(READY): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.10 or newer is needed" if sys.version_info < (3, 10) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(READY)

lab: $(READY)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(READY)
	$(TEST_ENV) $(BIN)/python -m pytest

$(WIDGETS7)/.installed: pyproject.toml
	test -x $(WIDGETS7)/bin/python || $(PYTHON) -m venv $(WIDGETS7)
	$(WIDGETS7)/bin/python -m pip install --quiet --upgrade pip
	$(WIDGETS7)/bin/python -m pip install --quiet -e ".[test]" "ipywidgets==7.7.1"
	touch $@

test-ipywidgets7: $(WIDGETS7)/.installed
	$(WIDGETS7)/bin/python -c 'import ipywidgets, sys; sys.exit(ipywidgets.__version__ != "7.7.1")'
	$(TEST_ENV) $(WIDGETS7)/bin/python -m pytest --disable-warnings tests/test_widgets.py

benchmark: $(READY)
	$(BIN)/python -m course_utils run --mode default

clean:
	rm -rf $(VENV) $(WIDGETS7)
