# cpc_toolkit — commandes de mise en place (voir README.md)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
DONNEES ?= donnees
ANNEE ?= 2025

.PHONY: demo test install chromium libreoffice lint dashboard clean bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# Debian chromium for PDF export and browser tests (installed only when missing).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installation de chromium (Debian)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@test -x $(CHROMIUM) && echo "chromium : $(CHROMIUM)"

# Debian LibreOffice (writer, headless) to check the ODT/DOCX documents in the tests (only when missing).
libreoffice:
	@if ! command -v soffice >/dev/null; then \
	  echo "Installation de LibreOffice Writer (Debian, sans interface)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libreoffice-writer-nogui >/dev/null; \
	fi
	@command -v soffice >/dev/null && echo "soffice : $$(command -v soffice)"

demo: $(STAMP) chromium
	$(BIN)/cpc --donnees $(DONNEES) demo
	$(BIN)/cpc --donnees $(DONNEES) campagne --annee $(ANNEE) --jobs 2 --formats html
	@echo
	@echo "Terminé. Données : $(DONNEES)/ — rapports (données fictives) : ouvrez reports/$(ANNEE)/index.html"

test: $(STAMP) chromium libreoffice lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# Style (ruff), stage contracts (import-linter, [tool.importlinter] in pyproject.toml), types (mypy).
lint: $(STAMP)
	$(BIN)/ruff check cpc_toolkit tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

dashboard: $(STAMP)
	$(BIN)/cpc --donnees $(DONNEES) tableau-de-bord

bench: $(STAMP)
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf reports/20* $(DONNEES) .pytest_cache
