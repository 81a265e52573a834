# coinstream: `make run` starts the stack without Docker, `make test` runs every test.
# Both set up what they need from nothing: uv, the virtual environment, the local
# Kafka broker and FerretDB (built once and cached in ~/.cache/coinstream).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
UV_VERSION := 0.13.9
CACHE ?= $(or $(COINSTREAM_CACHE),$(HOME)/.cache/coinstream)
UV := $(CACHE)/uv-$(UV_VERSION)/bin/uv
RUN := $(UV) run --frozen --no-sync
PYTEST := $(RUN) pytest

.PHONY: help setup servers system-deps run test test-docker test-unit test-integration test-e2e screenshot soak lint bench clean

help:
	@echo "make run        the whole stack on 127.0.0.1 without Docker (Ctrl-C stops it)"
	@echo "                CLUSTER=3: on three Kafka brokers, topics replicated"
	@echo "make test       lint, type-check and every test (unit, integration, e2e, deploy)"
	@echo "make test-unit  the fast tests only"
	@echo "make test-docker the docker tests only: compose up for real, testcontainers"
	@echo "make bench      benchmarks; prints BENCH lines (BENCH=\"consumer api\" picks some)"
	@echo "make screenshot the README's dashboard picture, from a fresh e2e run"
	@echo "make soak       the whole stack under load for SOAK_MINUTES (15); prints a BENCH line"
	@echo "make clean      remove .run/ (local stack data and logs)"

$(UV):
	python3 -m venv $(CACHE)/uv-$(UV_VERSION)
	$(CACHE)/uv-$(UV_VERSION)/bin/pip install --quiet uv==$(UV_VERSION)

# The consumer and the alerter are installed as compiled wheels (their setup.py): their
# sources count too. Tests rebuild them themselves when they are stale
# (tests/support/compiled_builds.py), even when pytest is run directly.
.venv/.synced: $(UV) uv.lock pyproject.toml */pyproject.toml tools/devstack/pyproject.toml \
		$(wildcard tools/compile/*.py) consumer/setup.py $(wildcard consumer/src/consumer/*.py) \
		alerter/setup.py $(wildcard alerter/src/alerter/*.py)
	$(UV) sync --frozen --all-packages --quiet
	touch $@

setup: .venv/.synced

servers: setup
	$(RUN) python -c "from devstack.kafka import install_kafka; from devstack.ferretdb import install_ferretdb; install_kafka(); install_ferretdb()"

system-deps:
	tools/install-system-deps.sh

# CLUSTER=3: on three Kafka brokers, topics replicated three times (docs/cluster.md).
run: servers
	LOCAL_KAFKA_BROKERS=$(or $(CLUSTER),$(LOCAL_KAFKA_BROKERS),1) $(RUN) python tools/run_stack.py

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

# The docker tests need an engine: tools/with_docker.py uses the one that answers, or starts
# one of its own (root on Debian) and stops it at the end.
test: setup system-deps servers lint
	UV=$(UV) $(RUN) python tools/with_docker.py $(RUN) python tools/run_tests.py $(PYTEST)

test-docker: setup system-deps servers
	UV=$(UV) $(RUN) python tools/with_docker.py $(PYTEST) -m docker

test-unit: setup
	$(PYTEST) -m "not integration and not e2e and not docker and not soak"

test-integration: setup servers
	$(PYTEST) -m "integration and not docker"

test-e2e: setup system-deps servers
	$(PYTEST) -m e2e

# Tests write their screenshot under .artifacts/ (ignored); only this updates the README's.
screenshot: setup system-deps servers
	$(PYTEST) -m e2e tests/e2e/test_stack.py -k dashboard
	cp .artifacts/dashboard.png docs/images/dashboard.png

# -s: the soak's BENCH and RSS lines are printed whether it passes or fails.
soak: setup system-deps servers
	$(PYTEST) -m soak -s tests/soak

bench: setup system-deps servers
	UV=$(UV) $(RUN) python benchmarks/run_all.py $(BENCH)

clean:
	rm -rf .run
