# warmcheck — every target builds its own virtual environment from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP_FLAGS ?= --quiet --disable-pip-version-check

.PHONY: help install lint typecheck test unit integration schemas bench demo check clean

help:
	@echo "make test    lint, type-check and run every test (what CI runs)"
	@echo "make demo    run warmcheck against the local sandbox; reports and the fix plan land in reports/"
	@echo "make check   run warmcheck against your AWS credentials with policies/warm-policy.yaml;"
	@echo "             reports in reports/check/ (make exits 2 on any failure and prints warmcheck's code)"
	@echo "make bench   print engine and schedule benchmarks"
	@echo "make schemas regenerate checker/schemas/*.json from the models"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "warmcheck needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) --upgrade pip
	$(BIN)/pip install $(PIP_FLAGS) -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check checker tests benchmarks tools
	$(BIN)/ruff format --check checker tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -n auto --dist worksteal

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

schemas: $(STAMP)
	$(BIN)/python -m checker schema policy > checker/schemas/policy.schema.json
	$(BIN)/python -m checker schema snapshot > checker/schemas/snapshot.schema.json
	$(BIN)/python -m checker schema report > checker/schemas/report.schema.json
	$(BIN)/python -m checker schema fix > checker/schemas/fix.schema.json

bench: $(STAMP)
	$(BIN)/python -m benchmarks

demo: $(STAMP)
	$(BIN)/warmcheck demo --fix --out-dir reports

# make's own exit status is 0 or 2 whatever a recipe returns, so this recipe prints warmcheck's
# code (1 drift, 2 bad input, 3 incomplete evidence, 4 bug) and exits with it ("Error 3" in
# make's message). Scripts that branch on the code call .venv/bin/warmcheck directly.
CHECK_OUT := reports/check
check: $(STAMP)
	@status=0; \
	$(BIN)/warmcheck check --policy policies/warm-policy.yaml --out-dir $(CHECK_OUT) || status=$$?; \
	if [ $$status -ne 0 ]; then \
		echo "make check: warmcheck exited $$status (see docs/exit-codes.md); make itself exits 2 on any failure: run $(BIN)/warmcheck check to get the code" >&2; \
	fi; \
	exit $$status

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis *.egg-info
