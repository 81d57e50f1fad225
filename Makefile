# Two commands do all set-up on a fresh machine (Python >= 3.11 and make):
#   make run    create .venv, install article-archive, archive seeds/ into ./archive
#   make test   create .venv, install with test extras, run the test suite
# .ci/run calls `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?= seeds/ --archive ./archive

.PHONY: run test test-all bench install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

run: install
	$(BIN)/article-archive run $(ARGS)

test: install-test
	$(BIN)/python -m pytest

test-all: install-test
	$(BIN)/python -m pytest -m ''

clean:
	rm -rf $(VENV) build *.egg-info archive
