# Two commands matter: `make lab` opens the course, `make test` runs every test. Both start from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888

.PHONY: lab test test-fast lint images release validate engine clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Opens JupyterLab on the course; builds the lab images first when a Docker engine answers.
lab: $(STAMP)
	-$(BIN)/course images --if-engine
	$(BIN)/jupyter lab --port=$(PORT) --notebook-dir=. release/m7-orquestacion

# Every test. Tests that need the Docker engine are skipped (with a reason) when none answers,
# except under CI=true, where they fail.
test: $(STAMP)
	$(BIN)/ruff check course tests
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not docker and not browser"

lint: $(STAMP)
	$(BIN)/ruff check course tests
	$(BIN)/lint-imports

images: $(STAMP)
	$(BIN)/course images

release: $(STAMP)
	$(BIN)/course release

validate: $(STAMP)
	$(BIN)/course validate --backend both

engine:
	scripts/engine.sh start

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
