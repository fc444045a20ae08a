# Two commands set everything up on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
HUB := $(VENV)/bin/hub
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test lint typecheck pytest schema node clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the package's declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,postgres]'
	touch $@

install: $(VENV)/.installed

run: install
	$(HUB) db upgrade
	$(HUB) seed demo
	$(HUB) serve --host $(HOST) --port $(PORT)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

node: node_modules/.package-lock.json

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy hub schema org_connectors tests bench

pytest: install node
	$(VENV)/bin/pytest

test: lint typecheck pytest

# Regenerate the committed SDL after a deliberate schema change.
schema: install
	$(HUB) schema --out schema/schema.graphql

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache
