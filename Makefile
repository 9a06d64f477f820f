# The two commands a newcomer types: `make demo` (the main job on the bundled example) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT := out

.PHONY: install demo test bench lint clean

# Install once into .venv; reinstall only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	mkdir -p $(OUT)
	$(BIN)/estate validate stacks/estate.yaml
	$(BIN)/estate show stacks/estate.yaml | tee $(OUT)/estate-summary.txt
	$(BIN)/estate show stacks/estate.yaml --format json > $(OUT)/estate-summary.json
	$(BIN)/estate synth --all --out $(OUT)/plans
	@echo "demo: everything it wrote is under $(OUT)/"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pytest tests/bench -p no:cacheprovider -s -o addopts="" -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
