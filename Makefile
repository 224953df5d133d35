# cpc_toolkit — commandes de mise en place (voir README.md)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
HEADLESS_SHELL ?= /usr/bin/chromium-headless-shell
DONNEES ?= donnees
ANNEE ?= 2025

.PHONY: demo test install chromium libreoffice nginx lint dashboard clean bench constraints

# --- install / demo / bench (one step header per stage; pip/uv print one line per package) --------
# constraints.txt pins the versions tested together (pip freeze of the development environment, without
# the project itself); regenerate it with `make constraints` after a deliberate upgrade.
# Bytecode is compiled at install (uv --compile-bytecode, pip does it by default, compileall for the
# editable package): with PYTHONDONTWRITEBYTECODE set, as on CI, every process — each `cpc` command,
# campaign worker and notebook kernel — otherwise compiles pandas, plotly… from source again
# (one `cpc rapport`: 7,5 s → 3,4 s of CPU, interleaved measure quoted in the README).
UV := $(BIN)/python -m uv
$(STAMP): pyproject.toml constraints.txt
	@echo "== [1/4] Environnement Python ($(VENV)) : création et dépendances (versions testées : constraints.txt)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@set -o pipefail; if $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off uv >/dev/null 2>&1; then \
	  echo "   installation avec uv (rapide)…"; \
	  $(UV) pip install --python $(BIN)/python --constraint constraints.txt --compile-bytecode -e '.[test]'; \
	else \
	  echo "   uv indisponible : installation avec pip (quelques minutes)…"; \
	  $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off --constraint constraints.txt -e '.[test]' \
	    | grep -E --line-buffered '^(Collecting|Successfully|ERROR)'; \
	fi
	@$(BIN)/python -m compileall -q -j 0 cpc_toolkit >/dev/null
	@touch $(STAMP)
	@echo "   environnement prêt."

constraints:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^cpc.toolkit' > constraints.txt

install: $(STAMP)

# Debian chromium (browser tests) and chromium-headless-shell (PDF: same engine, less work per page),
# installed only when missing; without the headless shell the PDFs go through chromium.
chromium:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(HEADLESS_SHELL) ]; then \
	  echo "Installation de chromium et chromium-headless-shell (Debian)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 \
	    || echo "   chromium-headless-shell indisponible : les PDF passeront par chromium."; \
	fi
	@test -x $(CHROMIUM) && echo "chromium : $(CHROMIUM)"
	@if [ -x $(HEADLESS_SHELL) ]; then echo "chromium-headless-shell : $(HEADLESS_SHELL)"; fi

# Debian LibreOffice (writer, headless) to check the ODT/DOCX documents in the tests (only when missing).
libreoffice:
	@if ! command -v soffice >/dev/null; then \
	  echo "Installation de LibreOffice Writer (Debian, sans interface)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libreoffice-writer-nogui >/dev/null; \
	fi
	@command -v soffice >/dev/null && echo "soffice : $$(command -v soffice)"

# Debian's nginx binary for the scale-out test (docs/deploiement/nginx-tableaux.conf), extracted into
# .venv/nginx without installing a system service (only when no nginx is on the PATH).
NGINX_DIR := $(VENV)/nginx
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x $(NGINX_DIR)/usr/sbin/nginx ]; then \
	  echo "nginx (Debian, binaire seul, sans service) pour le test de montée en charge…"; \
	  tmp=$$(mktemp -d); \
	  if ! (cd $$tmp && apt-get download nginx >/dev/null 2>&1); then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	    $$SUDO apt-get update -qq && (cd $$tmp && apt-get download nginx >/dev/null 2>&1); \
	  fi; \
	  dpkg -x $$tmp/nginx_*.deb $(NGINX_DIR) && rm -rf $$tmp; \
	fi
	@if command -v nginx >/dev/null; then echo "nginx : $$(command -v nginx)"; \
	  else test -x $(NGINX_DIR)/usr/sbin/nginx && echo "nginx : $(NGINX_DIR)/usr/sbin/nginx"; fi

demo: $(STAMP) chromium
	@echo "== [2/4] Données de démonstration et [3/4] import (classeurs, registres, remontées)"
	@start=$$(date +%s); $(BIN)/cpc --donnees $(DONNEES) demo && \
	  echo "   données prêtes en $$(( $$(date +%s) - start )) s."
	@echo "== [4/4] Campagne des rapports $(ANNEE) (HTML, 2 processus)"
	@start=$$(date +%s); $(BIN)/cpc --donnees $(DONNEES) campagne --annee $(ANNEE) --jobs 2 --formats html && \
	  echo "   campagne terminée en $$(( $$(date +%s) - start )) s."
	@echo
	@echo "Terminé. Données : $(DONNEES)/ — rapports (données fictives) : ouvrez reports/$(ANNEE)/index.html"

test: $(STAMP) chromium libreoffice nginx lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# Style (ruff), stage contracts (import-linter, [tool.importlinter] in pyproject.toml), types (mypy).
lint: $(STAMP)
	$(BIN)/ruff check cpc_toolkit tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

dashboard: $(STAMP)
	$(BIN)/cpc --donnees $(DONNEES) tableau-de-bord

# make bench [RAPIDE=1]: every benchmark, one after the other (run it on a quiet machine; the load is printed);
# a failing benchmark does not stop the others, the exit code says whether one failed.
bench: $(STAMP)
	@failed=""; for f in benchmarks/[!_]*.py; do \
	  opt=""; if [ -n "$(RAPIDE)" ] && grep -q -- '--rapide' $$f; then opt="--rapide"; fi; \
	  echo; echo "== $$f $$opt ($$(uptime | sed 's/.*load average/charge/'))"; \
	  $(BIN)/python $$f $$opt || failed="$$failed $$f"; \
	done; \
	if [ -n "$$failed" ]; then echo "Benchmarks en échec :$$failed"; exit 1; fi

clean:
	rm -rf reports/20* $(DONNEES) .pytest_cache
