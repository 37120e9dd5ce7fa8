# Tetsuzuki: two commands on a fresh machine with Python 3.11+ — `make run`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app app

.PHONY: run test e2e lint install install-dev translations demo clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

# Compiled message catalogues (.mo) are build output, made from the .po files.
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d app/translations > /dev/null

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo ""
	@echo "  手続をさがす / find a procedure:  http://127.0.0.1:$(PORT)/"
	@echo "  ダッシュボード / dashboard:       http://127.0.0.1:$(PORT)/dashboard"
	@echo "  API:                             http://127.0.0.1:$(PORT)/api/v1/kpi"
	@echo ""
	$(FLASK) run --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(VENV)/.installed-e2e: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,e2e]'
	@touch $@ $(VENV)/.installed $(VENV)/.installed-dev

# Browser tests drive the system's Chromium (a test tool's own browser download cannot
# work here); Japanese fonts make the screenshots readable.
chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto.*cjk" || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

e2e: $(VENV)/.installed-e2e translations chromium
	rm -rf e2e/artifacts
	$(BIN)/python -m pytest e2e -p no:cacheprovider $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check app tests config.py bench
	$(BIN)/ruff format --check app tests config.py bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
