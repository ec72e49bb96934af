# The two commands: `make run` (the whole platform) and `make test` (every test).
# Each sets itself up: virtualenv and packages, bun for the Reflex front end, Chromium
# for browser tests, and the database (embedded when DATABASE_URL is not set).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: run test bench lint format-check lock lock-upgrade setup browser clean

# Packages come from requirements.lock: every version the tests have seen, checked by hash.
# The project itself is installed on top, without dependencies of its own.
$(VENV)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# pip-tools resolves the lock in a small environment of its own, so it never enters the app's.
LOCKER := $(TOOLS)/piptools
$(LOCKER)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCKER)
	$(LOCKER)/bin/pip install --quiet pip-tools==7.6.2

# `make lock` after editing pyproject.toml's dependencies: adds and drops packages and keeps
# every other version as locked. `make lock-upgrade` moves everything to the newest
# versions the ranges allow (then run `make test` before committing the lock).
LOCK_ARGS := --quiet --generate-hashes --strip-extras --extra dev --no-emit-index-url \
             --no-emit-find-links --output-file requirements.lock pyproject.toml
lock: $(LOCKER)/bin/pip-compile
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCKER)/bin/pip-compile $(LOCK_ARGS)

lock-upgrade: $(LOCKER)/bin/pip-compile
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCKER)/bin/pip-compile --upgrade $(LOCK_ARGS)

$(TOOLS)/.installed:
	npm install --prefix $(TOOLS) --no-fund --no-audit --loglevel=error bun
	$(TOOLS)/node_modules/.bin/bun --version
	touch $@

# Leaflet for the maps, served by the app itself (no CDN needed).
assets/vendor/leaflet/leaflet.js:
	npm install --prefix $(TOOLS) --no-fund --no-audit --loglevel=error leaflet@1.9
	mkdir -p assets/vendor/leaflet
	cp -r $(TOOLS)/node_modules/leaflet/dist/leaflet.js $(TOOLS)/node_modules/leaflet/dist/leaflet.css \
	      $(TOOLS)/node_modules/leaflet/dist/images assets/vendor/leaflet/

assets/vendor/leaflet/leaflet.markercluster.js:
	npm install --prefix $(TOOLS) --no-fund --no-audit --loglevel=error leaflet.markercluster@1.5
	mkdir -p assets/vendor/leaflet
	cp $(TOOLS)/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	   $(TOOLS)/node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	   $(TOOLS)/node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css assets/vendor/leaflet/

# jsQR reads label QR codes from the phone camera where the browser has no BarcodeDetector.
assets/vendor/jsqr/jsQR.js:
	npm install --prefix $(TOOLS) --no-fund --no-audit --loglevel=error jsqr@1.4
	mkdir -p assets/vendor/jsqr
	cp $(TOOLS)/node_modules/jsqr/dist/jsQR.js assets/vendor/jsqr/

setup: $(VENV)/.installed $(TOOLS)/.installed assets/vendor/leaflet/leaflet.js \
       assets/vendor/leaflet/leaflet.markercluster.js assets/vendor/jsqr/jsQR.js

# Debian's Chromium drives the browser tests (Playwright cannot download its own here);
# pdftoppm and zbar read the printed QR kits back in tests; Compose validates the
# production topology (no Docker engine is needed for that).
browser:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p | grep -q libzbar.so.0 || missing="$$missing libzbar0"; \
	command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing="$$missing docker-compose"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing system packages: run 'sudo apt-get install$$missing'"; exit 1; fi; \
	fi

run: setup
	$(PY) -m app.cli run

test: setup browser
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench.run

# The layer contracts (pyproject.toml, [tool.importlinter]) fail on any upward import;
# the code is kept in ruff's format (`ruff format .` fixes it).
lint: setup format-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format-check: setup
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) $(TOOLS) .web
