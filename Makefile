# Two ways in: `make lab` to study, `make test` to check the course.
# Each creates .venv with the course installed on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed
LAB_ARGS ?=
# Containers and CI machines often run as root, which Jupyter refuses without this flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test benchmark clean

$(READY): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.10 or newer is needed" if sys.version_info < (3, 10) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(READY)

lab: $(READY)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(READY)
	COURSE_MODE=fast TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg $(BIN)/python -m pytest

benchmark: $(READY)
	$(BIN)/python -m course_utils run --mode default

clean:
	rm -rf $(VENV)
