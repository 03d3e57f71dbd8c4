# Two commands for a newcomer: `make run` and `make test`. Everything else is here too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run serve test test-tools lint format bench translations translations-update migrate seed clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d portal/translations --statistics

migrate: translations
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask content sync
	DEMO_MODE=1 $(BIN)/flask demo seed
	$(BIN)/flask quiz analyse

run: seed
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

serve: seed
	$(BIN)/gunicorn --workers 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict portal/alarmchain portal/assessment/core portal/certification/core

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: translations lint test-tools
	$(BIN)/pytest -n auto --dist loadgroup

# axe-core and vnu.jar for the browser tests; without npm those tests skip and say why.
test-tools:
	@if [ -f tools/node_modules/.installed ]; then :; \
	elif command -v npm >/dev/null; then npm ci --prefix tools --no-audit --no-fund --silent && touch tools/node_modules/.installed; \
	else echo "npm not found: the browser tests will be skipped"; fi

bench: translations
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

translations-update: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/fill_english_catalogue.py
	@echo "Now translate the new Swedish messages in portal/translations/sv/LC_MESSAGES/messages.po"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
