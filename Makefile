# The two commands a newcomer types: `make demo` (the main job on the bundled example) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT := out

.PHONY: install azurite demo test coverage bench lint docs clean

# Install once into .venv; reinstall only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Azurite (the Azure Storage emulator) for the Blob tests, pinned by tests/azurite/package-lock.json.
AZURITE_STAMP := tests/azurite/node_modules/.installed
$(AZURITE_STAMP): tests/azurite/package.json tests/azurite/package-lock.json
	npm ci --prefix tests/azurite --no-audit --no-fund --loglevel=error
	touch $(AZURITE_STAMP)

azurite: $(AZURITE_STAMP)

# The main job on the bundled example: estate -> plans -> policy check -> forecast -> business case ->
# reconciliation of (synthetic) actual spend against the case.
demo: $(STAMP)
	mkdir -p $(OUT)
	@echo "== 1. the estate definition"
	$(BIN)/estate validate stacks/estate.yaml
	$(BIN)/estate show stacks/estate.yaml | tee $(OUT)/estate-summary.txt
	$(BIN)/estate show stacks/estate.yaml --format json > $(OUT)/estate-summary.json
	@echo "== 2. plans for every stack (Pulumi's mock runtime: no cloud, no credentials)"
	$(BIN)/estate synth --all --out $(OUT)/plans
	@echo "== 3. guardrails, before and after synthesis"
	$(BIN)/estate check --estate stacks/estate.yaml
	$(BIN)/estate check $(OUT)/plans/*.json
	$(BIN)/estate check $(OUT)/plans/*.json --format sarif --out $(OUT)/guardrails.sarif
	@echo "== 4. what the plans will cost a month"
	$(BIN)/estate forecast $(OUT)/plans/*.json --prices stacks/rates.yaml --usage stacks/usage.yaml --by wave \
		| tee $(OUT)/forecast.txt
	$(BIN)/estate forecast $(OUT)/plans/*.json --prices stacks/rates.yaml --usage stacks/usage.yaml --by wave \
		--format json --out $(OUT)/forecast.json
	@echo "== 5. the business case, its derived figures and the budgets it sets"
	$(BIN)/estate case show stacks/business-case.yaml | tee $(OUT)/business-case.txt
	$(BIN)/estate case show stacks/business-case.yaml --format json > $(OUT)/business-case.json
	$(BIN)/estate case budgets stacks/business-case.yaml --financial-year 2021/22 \
		--email imt-cloud@example.gov.uk | tee $(OUT)/business-case-budgets.txt
	@echo "== 6. actual spend against the business case (SYNTHETIC spend: no real council spend exists)"
	# Actual spend vs the business case. No real council spend exists to ship: a SYNTHETIC FOCUS 1.0 export shaped
	# by the estate's waves and scaled to the case's cloud-run lines (seeded), plus a SYNTHETIC ledger for the lines
	# Azure never bills, loaded into a fresh cost store and reconciled three ways against the (thin) forecast.
	rm -rf $(OUT)/synthetic-export $(OUT)/cost-store-synthetic $(OUT)/synthetic-ledger.csv
	$(BIN)/estate cost synthesise --estate stacks/estate.yaml --case stacks/business-case.yaml --months 18 \
		--seed 418 --out $(OUT)/synthetic-export --ledger-out $(OUT)/synthetic-ledger.csv
	$(BIN)/estate cost load $(OUT)/synthetic-export --store $(OUT)/cost-store-synthetic
	# The ledger's actuals for the non-Azure lines, where this estate has `estate actuals load`.
	if $(BIN)/estate actuals --help >/dev/null 2>&1; then \
		$(BIN)/estate actuals load $(OUT)/synthetic-ledger.csv --store $(OUT)/cost-store-synthetic || exit 1; \
	else echo "note: no \`estate actuals load\` here; the non-Azure lines stay at the case"; fi
	$(BIN)/estate cost reconcile --case stacks/business-case.yaml --store $(OUT)/cost-store-synthetic \
		--forecast $(OUT)/forecast.json --estate stacks/estate.yaml | tee $(OUT)/reconciliation-synthetic.txt
	for format in json csv xlsx html pdf; do \
		$(BIN)/estate cost reconcile --case stacks/business-case.yaml --store $(OUT)/cost-store-synthetic \
			--forecast $(OUT)/forecast.json --estate stacks/estate.yaml --format $$format \
			--out $(OUT)/reconciliation-synthetic.$$format || exit 1; \
	done
	@echo "== 7. the board pack: $(OUT)/reconciliation-synthetic.html (.xlsx, .pdf), first page the board summary"
	@echo "demo: everything it wrote is under $(OUT)/"

test: $(STAMP) $(AZURITE_STAMP)
	$(BIN)/python -m pytest

# The suite with line coverage of estate, costing and policies (the figure the closing notes quote).
coverage: $(STAMP) $(AZURITE_STAMP)
	$(BIN)/python -m pytest --cov=estate --cov=costing --cov=policies --cov-report=term

bench: $(STAMP)
	$(BIN)/python -m pytest tests/bench -p no:cacheprovider -s -o addopts="" -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Regenerate the generated documentation (docs/cli.md) after changing a command; a test fails when it is stale.
docs: $(STAMP)
	$(BIN)/python -m estate.cli.reference > docs/cli.md

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
