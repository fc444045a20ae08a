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
	$(VENV)/bin/mypy hub schema org_connectors partner tests bench

pytest: install node
	$(VENV)/bin/pytest

test: lint typecheck pytest

# Regenerate the committed SDL after a deliberate schema change.
schema: install
	$(HUB) schema --out schema/schema.graphql

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache

# Federation: compose the hub and the partner subgraph (partner/) from their printed SDL, no server needed,
# into gateway/supergraph.graphql. The URLs recorded are where the gateway calls them by default;
# HUB_SUBGRAPH_URL / PARTNER_SUBGRAPH_URL in the gateway's environment override them (compose.yaml does).
HUB_SUBGRAPH_URL ?= http://$(HOST):$(PORT)/graphql
PARTNER_SUBGRAPH_URL ?= http://$(HOST):4001/graphql

.PHONY: supergraph federation-demo
supergraph: install node
	mkdir -p var
	$(HUB) schema --out var/hub.graphql
	$(PY) -m partner --print-schema --out var/partner.graphql
	node tools/compose.mjs hub=var/hub.graphql partner=var/partner.graphql \
		--url hub=$(HUB_SUBGRAPH_URL) --url partner=$(PARTNER_SUBGRAPH_URL) --out gateway/supergraph.graphql

# Hub (seeded; SQLite, or PostgreSQL via HUB_DATABASE_URL), partner subgraph and Hive Gateway on loopback.
federation-demo: supergraph
	HOST=$(HOST) HUB_PORT=$(PORT) PARTNER_PORT=4001 GATEWAY_PORT=4000 bash tools/federation_demo.sh
