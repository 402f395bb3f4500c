# Two commands matter: `make lab` opens the course, `make test` runs every test. Both start from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888

.PHONY: lab test test-fast lint images release validate engine clean

$(STAMP): pyproject.toml scripts/jupyterlab-overrides.json
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp scripts/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

# Opens JupyterLab on the student's copy of the course (trabajo/, made from release/ once and never
# overwritten, so `git pull` never clashes with a student's answers); builds the lab images first
# when a Docker engine answers, else the notebooks say they run on the simulator.
WORK := trabajo
# JupyterLab refuses to run as root (a container, a hub image) without --allow-root.
ROOT_ARGS = $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	@mkdir -p $(WORK)
	@for a in release/*/; do [ -d "$$a" ] || continue; a=$$(basename $$a); mkdir -p $(WORK)/$$a; \
	  cp -rn release/$$a/. $(WORK)/$$a/; done
	-$(BIN)/course images --if-engine
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --port=$(PORT) --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/$(WORK)/m7-orquestacion $(ROOT_ARGS) $(LAB_ARGS)

# Every test. Tests that need the Docker engine are skipped (with a reason) when none answers,
# except under CI=true, where they fail.
test: $(STAMP)
	$(BIN)/ruff check course tests lessons
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q --durations=30

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not docker and not browser and not postgres"

lint: $(STAMP)
	$(BIN)/ruff check course tests lessons
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
