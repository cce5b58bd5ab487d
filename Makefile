# Puente: `make run` to try it, `make test` to check it. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal:create_app
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed
VENDOR := portal/static/vendor
VENDOR_STAMP := $(VENDOR)/.copied
PO := translations/es/LC_MESSAGES/messages.po
MO := $(PO:.po=.mo)
DEV := PUENTE_ENV=development

.PHONY: help run mfa-code install assets translations i18n test lint format db-upgrade bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: install ## Install, migrate, load demo data on first run, serve http://127.0.0.1:5000
	@mkdir -p instance
	@$(DEV) $(FLASK) db upgrade
	@$(DEV) $(FLASK) seed demo --if-empty
	@$(DEV) $(FLASK) seed accounts
	@echo "Puente is starting on http://127.0.0.1:$${PORT:-5000} (Ctrl+C stops it)"
	@# Beside the server: the outbox worker, so messages to families show in this log, the
	@# job that queues reminders before sessions and survey links after them, and the one that
	@# keeps the dashboards' roll-ups fresh (a change shows within about 30 s).
	@$(DEV) $(FLASK) outbox deliver --interval 5 & worker=$$!; \
	$(DEV) $(FLASK) programmes notify --interval 300 & notifier=$$!; \
	$(DEV) $(FLASK) analytics refresh --interval 30 & refresher=$$!; \
	trap 'kill $$worker $$notifier $$refresher 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(FLASK) run --host 127.0.0.1 --port $${PORT:-5000}

mfa-code: ## Print a demo account's current two-step sign-in code: make mfa-code EMAIL=admin@demo.puente.example.org
	@$(DEV) $(FLASK) users mfa-code "$(EMAIL)"

install: $(PY_STAMP) assets translations ## Create .venv, install packages, assets and catalogs

$(PY_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: $(VENDOR_STAMP) ## Copy htmx, Bootstrap, Plotly's Spanish locale and the certificate fonts into portal/static/vendor

$(VENDOR_STAMP): $(JS_STAMP)
	@mkdir -p $(VENDOR)/htmx $(VENDOR)/bootstrap $(VENDOR)/fonts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf node_modules/dejavu-fonts-ttf/LICENSE $(VENDOR)/fonts/
	@# Plotly's Spanish words and number formats, as data the dashboards hand to each graph.
	node -e 'const l = require("plotly.js-locales/es.js"); process.stdout.write(JSON.stringify({dictionary: l.dictionary, format: l.format}))' > $(VENDOR)/plotly-locale-es.json
	@touch $@

translations: $(MO) ## Compile the message catalogs

$(MO): $(PO) $(PY_STAMP)
	$(BIN)/pybabel compile --statistics -d translations

i18n: $(PY_STAMP) ## Extract messages, update the catalogs, compile them
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* node_modules instance" \
		--no-location --sort-output --project=Puente -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete \
		-i translations/messages.pot -d translations
	$(BIN)/pybabel compile --statistics -d translations

test: install ## Run the whole suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set)
	$(BIN)/pytest -n $${PYTEST_WORKERS:-auto} $(PYTEST_ARGS)

lint: $(PY_STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(PY_STAMP) ## Format and fix imports
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

db-upgrade: $(PY_STAMP) ## Apply migrations to DATABASE_URL (default instance/puente.db)
	@mkdir -p instance
	$(DEV) $(FLASK) db upgrade

bench: install ## Family submit, door console, registration bursts, dashboard callbacks (2M cases)
	$(BIN)/python bench/family_submit.py
	$(BIN)/python bench/door.py
	$(BIN)/python bench/registration_burst.py
	@# Its own database, kept between runs (the 2-million-case district loads once, ~10 min):
	@# the benchmarks above empty BENCH_DATABASE_URL.
	BENCH_DATABASE_URL=$${BENCH_DASH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/bench_dash} \
		$(BIN)/python bench/dashboards.py
