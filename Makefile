# Two ways in: `make lab` to study, `make test` to check the course.
# Each creates .venv with the course installed on first use; pip refuses a Python outside
# pyproject.toml's requires-python, the one place that range is written.
# `make unit` runs the fast tests of course_utils and the project's files only: no notebook, no browser,
# nothing marked slow (a test that starts another Python or sweeps hundreds of cases), two at a time.
# `make test-ipywidgets7` runs the knob-panel tests on Colab's ipywidgets 7.7.1 in a second venv.
# CONSTRAINTS=constraints.txt installs the versions last tested (CI does); without it pip picks
# the newest versions in pyproject.toml's ranges, as a learner's install does.
# `make site` builds the course website in build/site from notebooks executed in default mode.
# `make constraints` rewrites constraints.txt from the versions installed in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS ?=
PIP_CONSTRAINTS := $(if $(CONSTRAINTS),--constraint $(CONSTRAINTS))
READY := $(VENV)/.installed$(if $(CONSTRAINTS),-constrained)
WIDGETS7 := .venv-ipywidgets7
COLAB_IPYWIDGETS := 7.7.1
LAB_ARGS ?=
TEST_ENV := COURSE_MODE=fast TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
# Containers and CI machines often run as root, which Jupyter refuses without this flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test unit test-ipywidgets7 benchmark site constraints clean

$(READY): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]" $(PIP_CONSTRAINTS)
	touch $(READY)

lab: $(READY)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

# One pytest run, two workers (pytest-xdist): the notebooks first, each in its own kernel (most of a
# fast-mode run is building each model's training step, single-threaded Python, so two kernels keep
# two cores busy), then every other test, two test files at a time; the tests that read what the
# notebooks' runs recorded last. conftest.py sets the order; `--no-loadscope-reorder` keeps it.
TEST_WORKERS ?= 2

test: $(READY)
	$(TEST_ENV) $(BIN)/python -m pytest notebooks tests --numprocesses $(TEST_WORKERS) --dist loadfile \
		--no-loadscope-reorder --durations 25

unit: $(READY)
	$(TEST_ENV) $(BIN)/python -m pytest tests -m "unit and not slow" --numprocesses 2

# Colab's ipywidgets replaces the constrained one (and the two packages that come with it).
$(WIDGETS7)/.installed: pyproject.toml $(CONSTRAINTS)
	test -x $(WIDGETS7)/bin/python || $(PYTHON) -m venv $(WIDGETS7)
	$(WIDGETS7)/bin/python -m pip install --quiet --upgrade pip
	$(if $(CONSTRAINTS),grep -v -i -E '^(ipywidgets|widgetsnbextension|jupyterlab[-_]widgets)==' $(CONSTRAINTS) > $(WIDGETS7)/constraints.txt)
	$(WIDGETS7)/bin/python -m pip install --quiet -e ".[test]" "ipywidgets==$(COLAB_IPYWIDGETS)" \
		$(if $(CONSTRAINTS),--constraint $(WIDGETS7)/constraints.txt)
	touch $@

test-ipywidgets7: $(WIDGETS7)/.installed
	$(WIDGETS7)/bin/python -c 'import ipywidgets, sys; sys.exit(ipywidgets.__version__ != "$(COLAB_IPYWIDGETS)")'
	$(TEST_ENV) $(WIDGETS7)/bin/python -m pytest --disable-warnings tests/test_widgets.py tests/test_progress.py

benchmark: $(READY)
	$(BIN)/python -m course_utils run --mode default --report reports
	$(BIN)/python -m course_utils.guide

site: $(READY)
	$(BIN)/python -m course_utils.site

constraints: $(READY)
	$(BIN)/python tools/constraints.py > constraints.txt

clean:
	rm -rf $(VENV) $(WIDGETS7)
