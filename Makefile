# Tetsuzuki: two commands on a fresh machine with Python 3.11+ — `make run`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app app

.PHONY: run test devidp devidp-install devidp-if-node e2e conformance java bench import-quality load load-1000 lint install install-dev translations demo clean chromium vendor tokens fonts wheel systemd

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

# The wheel an operator installs (docs/operations.md): settings, compiled translations,
# migrations and the shipped forms inside it (setup.py), so it runs from any folder.
wheel: | $(BIN)/python
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .
	@ls dist/*.whl

# PDFs (receipts, reports) need a Japanese font and WeasyPrint's Pango; the PDF tests read
# them back with poppler. Installed from Debian's packages when missing. IPAex sets the text
# (small to embed, quick to subset); bold text takes Noto Sans CJK JP where it is installed.
PDF_PACKAGES := fontconfig fonts-ipaexfont libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
fonts:
	@if fc-list :lang=ja family 2>/dev/null | grep -qi "IPAexGothic" \
	    && ldconfig -p | grep -q "libpangoft2-1.0" && ldconfig -p | grep -q "libharfbuzz-subset" \
	    && command -v pdftotext >/dev/null; then :; else \
	  echo "installing $(PDF_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
	fi

# Every absolute link (mails, the receipt's link and QR code, JSON-LD) is built from
# BASE_URL: unless it is set, the address `make run` serves on (PORT=5131 make run).
run: export BASE_URL ?= http://127.0.0.1:$(PORT)
run: install fonts devidp-if-node
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) results dev-key
	@echo ""
	@echo "  手続をさがす / find a procedure:  $(BASE_URL)/"
	@echo "  ダッシュボード / dashboard:       $(BASE_URL)/dashboard"
	@echo "  API:                             $(BASE_URL)/api/v1/kpi"
	@echo ""
	@# with Node.js, the local OpenID Connect provider (devidp/) beside it: 開発用ログイン
	@if command -v node >/dev/null 2>&1 && [ -d devidp/node_modules/oidc-provider ]; then \
	  echo "  開発用ログイン / dev sign-in:      http://127.0.0.1:$(DEVIDP_PORT) (not real)"; \
	  DEVIDP_PORT=$(DEVIDP_PORT) DEVIDP_APP_URLS=$(BASE_URL) node devidp/server.js & pid=$$!; \
	  trap "kill $$pid" EXIT; \
	  OIDC_DEV_ISSUER=$${OIDC_DEV_ISSUER:-http://127.0.0.1:$(DEVIDP_PORT)} $(FLASK) run --port $(PORT); \
	else \
	  $(FLASK) run --port $(PORT); \
	fi

test: install-dev fonts systemd devidp-if-node
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# A development-only OpenID Connect provider (devidp/: the `oidc-provider` package on
# Node.js) with test users like a My Number Card's and a gBizID account's, for `make run`
# and the tests (tests/devidp.py starts one on a free port for tests/identity and for the
# browser journeys). Never for production.
DEVIDP_PORT ?= 5556
devidp/node_modules/.installed: devidp/package.json devidp/package-lock.json
	cd devidp && npm ci --no-audit --no-fund --silent
	@touch $@

devidp-install: devidp/node_modules/.installed

# `make run` offers the local provider where Node.js is installed, and runs without it elsewhere
devidp-if-node:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory devidp-install; fi

devidp: devidp-install
	DEVIDP_PORT=$(DEVIDP_PORT) DEVIDP_APP_URLS=$${BASE_URL:-http://127.0.0.1:$(PORT)} node devidp/server.js

# tests/test_deploy.py checks deploy/'s units with systemd-analyze (Debian's systemd package;
# nothing is started)
systemd:
	@command -v systemd-analyze >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null)

$(VENV)/.installed-e2e: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,e2e]'
	@touch $@ $(VENV)/.installed $(VENV)/.installed-dev

# Browser tests drive the system's Chromium (a test tool's own browser download cannot
# work here); Japanese fonts make the screenshots readable. The app runs beside the local
# OpenID Connect provider (devidp/, installed where Node.js is) for the sign-in journeys.
chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto.*cjk" || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

e2e: $(VENV)/.installed-e2e translations chromium fonts devidp-if-node
	rm -rf e2e/artifacts
	$(BIN)/python -m pytest e2e -p no:cacheprovider $(PYTEST_ARGS)

# Checks by tools nobody here wrote, after `make e2e`: the Nu HTML Checker (the W3C's vnu.jar,
# from the vnu-jar npm package, on a Debian JRE) on every page the journeys reached and on
# the stylesheets; the official CPSV-AP and DCAT-AP shapes on the open data; a client
# generated from the OpenAPI document. The jar is fetched once into .cache/.
VNU_VERSION ?= 26.9.27
VNU_JAR     := .cache/vnu-$(VNU_VERSION)/vnu.jar
$(VNU_JAR):
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  npm pack --silent --pack-destination "$$tmp" "vnu-jar@$(VNU_VERSION)" >/dev/null; \
	  tar -xzf "$$tmp"/*.tgz -C "$$tmp"; mkdir -p "$(dir $@)"; \
	  cp "$$tmp/package/build/dist/vnu.jar" "$$tmp/package/LICENSE" "$(dir $@)"

java:
	@command -v java >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null)

conformance: $(VENV)/.installed-dev translations fonts java $(VNU_JAR)
	$(BIN)/python e2e/nu_check.py $(VNU_JAR)
	$(BIN)/python -m pytest -p no:cacheprovider tests/opendata/test_cpsv_shapes.py \
	  tests/opendata/test_dcat.py tests/opendata/test_vocab.py tests/api/test_generated_client.py

# Third-party files are vendored (committed) so that the pages and the tests need no network.
# Refresh with `make vendor` (pinned versions) or e.g. `make tokens TOKENS_VERSION=latest`.
AXE_VERSION    ?= 4.14.1
TOKENS_VERSION ?= 1.1.9
# $(call npm_fetch,package@version,destination,files…): npm pack into a temporary folder,
# copy the files and the licence, and write the version that was really fetched.
define npm_fetch
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  npm pack --silent --pack-destination "$$tmp" "$(1)" >/dev/null; \
	  tar -xzf "$$tmp"/*.tgz -C "$$tmp"; \
	  rm -rf "$(2)"; mkdir -p "$(2)"; \
	  for f in $(3); do cp "$$tmp/package/$$f" "$(2)/"; done; \
	  $(PYTHON) -c "import json,sys; p=json.load(open(sys.argv[1])); print(p['name'], p['version'], p['license'])" \
	    "$$tmp/package/package.json" > "$(2)/VERSION"; \
	  echo "$(2): $$(cat "$(2)/VERSION")"
endef

# axe-core, the accessibility rules the browser tests run on every page (MPL-2.0).
vendor: tokens
	$(call npm_fetch,axe-core@$(AXE_VERSION),e2e/vendor/axe-core,axe.min.js LICENSE LICENSE-3RD-PARTY.txt)

# The Digital Agency design system's tokens (colours, type scale, radii) as CSS custom
# properties, served beside app.css (MIT).
tokens:
	$(call npm_fetch,@digital-go-jp/design-tokens@$(TOKENS_VERSION),app/static/vendor/design-tokens,dist/tokens.css LICENSE)

# Benchmarks, each against a floor in the same run (bench/run.py), a form over HTTP with the
# servers' CPU per submission by part (bench/over_http.py), the quality of drafts
# made from 様式 (bench/import_quality.py), then the load test; JSON in bench/results/,
# figures in docs/operations.md. Fails when a target is missed.
bench: install-dev $(VENV)/.installed-bench translations fonts
	@rc=0; $(BIN)/python bench/run.py || rc=1; $(BIN)/python bench/over_http.py || rc=1; \
	  $(BIN)/python bench/import_quality.py || rc=1; $(BIN)/python bench/load.py || rc=1; exit $$rc

# 様式から作る: per format, the share of imported questions with the right type and label
# and of the hand-made questions found, over the corpus in tests/builder/yoshiki/ (made
# again by bench/yoshiki_corpus.py); at least 80% each. bench/results/import_quality.json.
import-quality: $(VENV)/.installed
	$(BIN)/python bench/import_quality.py

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@ $(VENV)/.installed

# Load on loopback: gunicorn, PostgreSQL, Redis and RQ workers of its own, 200 residents
# for 60 s (LOAD_USERS, LOAD_SECONDS, …: see bench/load.py); bench/results/load.json.
load: $(VENV)/.installed-bench translations fonts
	$(BIN)/python bench/load.py

# The XGovFormBuilder project's own load plan on the same set-up (LOAD_PLAN=xgov): 1,000
# residents ramped up over 60 s, each completing one form through the pages with a pause of
# 2–5 s before each step; also fails when the page requests' p95 exceeds 1 s.
load-1000: $(VENV)/.installed-bench translations fonts
	LOAD_PLAN=xgov $(BIN)/python bench/load.py

lint: install-dev
	$(BIN)/ruff check app tests config.py bench
	$(BIN)/ruff format --check app tests config.py bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache build dist
