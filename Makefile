# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv with the project and its tools on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint bench catalogs clean

run: $(INSTALLED)
	$(BIN)/memo-bot run

test: $(INSTALLED)
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(INSTALLED)
	$(BIN)/python bench/core_add.py
	$(BIN)/python bench/slack_http.py
	$(BIN)/python bench/discord_interactions.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/summary.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/agenda_import.py
	$(BIN)/python bench/running_now.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/search_quality.py
	$(BIN)/python bench/announce_burst.py

# The message catalogs (bot/locales): the English messages of the code, into every language's
# .po, to translate by hand (tests/bot/test_catalogs.py fails on a missing translation).
# They are compiled when the bot loads them (bot/i18n.py), so there is no build step.
catalogs: $(INSTALLED)
	$(BIN)/pybabel extract --no-location --sort-output -k N_ -k counted:2,3 \
		-o bot/locales/memo_bot.pot bot adapters
	$(BIN)/pybabel update -i bot/locales/memo_bot.pot -d bot/locales -D memo_bot \
		--no-fuzzy-matching --ignore-obsolete

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "memo-bot needs Python 3.11 or newer: run make with PYTHON=python3.11 (or newer)")'
	@echo "Installing memo-bot and its development tools into $(VENV) (first run only, a minute or two)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $(INSTALLED)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
