# Practica: the two commands are `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SITE_PORT ?= 8000
PUSH_PORT ?= 8001
PUSH_DATA ?= push-data
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install ralph chromium postgresql nginx lint typecheck pytest build serve bench clean messages

$(BIN)/practica: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/practica

## make ralph: a real Learning Record Store for the learning-records tests (Ralph, in its own virtualenv: its
# `lrs` extra pins an older FastAPI than ours). The tests start it with its file-system backend.
RALPH_VENV := .ralph-venv
$(RALPH_VENV)/bin/ralph:
	$(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/pip install --quiet --upgrade pip
	$(RALPH_VENV)/bin/pip install --quiet 'ralph-malph[lrs,cli]==5.1.0' requests
	touch $@

ralph: $(RALPH_VENV)/bin/ralph

## make demo: build the demo community and serve the site (:8000) and the push service (:8001)
# The push service starts once the site answers (it polls the site's feed). Ctrl+C reaches both servers, which
# stop cleanly (`trap - INT` undoes the SIGINT-ignoring that background jobs get); a TERM is passed on, and if
# either server exits on its own, the other is stopped. Keys are made once, in push-data/ (git-ignored). The
# service signs readers in with the demo mode (pick anyone on /me/), which it accepts only on this machine. Before
# it starts, seed-demo reads the feed and writes a few demo discussions into a store that has none (once).
demo: install
	$(BIN)/practica validate --strict
	@[ -f $(PUSH_DATA)/vapid_private.pem ] || $(BIN)/practica push keys --out $(PUSH_DATA) >/dev/null
	@stop=; trap 'stop=1' INT; trap 'stop=1; kill $$site $${push:-} 2>/dev/null' TERM; \
	( trap - INT; exec $(BIN)/practica serve --dev-addr 127.0.0.1:$(SITE_PORT) ) & site=$$!; \
	for _ in $$(seq 600); do [ -z "$$stop" ] && kill -0 $$site 2>/dev/null || break; \
	  (exec 3<>/dev/tcp/127.0.0.1/$(SITE_PORT)) 2>/dev/null && break; sleep 0.2; done; \
	if [ -n "$$stop" ] || ! kill -0 $$site 2>/dev/null; then wait $$site; exit; fi; \
	( trap - INT; export PRACTICA_PUSH_DB=$(PUSH_DATA)/push.sqlite3 \
	  PRACTICA_PUSH_VAPID_PRIVATE_KEY=$(PUSH_DATA)/vapid_private.pem \
	  PRACTICA_PUSH_VAPID_SUBJECT=mailto:learning@example.org PRACTICA_PUSH_SITE_ORIGIN=http://127.0.0.1:$(SITE_PORT) \
	  PRACTICA_AUTH_MODE=demo; \
	  $(BIN)/practica push seed-demo --feed http://127.0.0.1:$(SITE_PORT)/feed.json || true; \
	  exec $(BIN)/practica push serve --port $(PUSH_PORT) --every 30s \
	    --poll-feed http://127.0.0.1:$(SITE_PORT)/feed.json ) & push=$$!; \
	wait -n $$site $$push; status=$$?; \
	[ -n "$$stop" ] || kill $$site $$push 2>/dev/null; wait; exit $$status

## make test: ruff, mypy, ESLint (eslint.config.js) and the whole pytest suite (browser tests in Debian's Chromium)
test: install ralph chromium postgresql nginx node_modules/axe-core/axe.min.js
	$(BIN)/ruff check generator hooks tests bench
	$(BIN)/mypy
	node_modules/.bin/eslint .
	$(BIN)/pytest -q

## make messages: extract Practica's interface strings (babel.cfg) and update every catalogue in generator/locale/
# (then translate the new entries; tests/test_languages.py fails while one is untranslated). A new language:
# `.venv/bin/pybabel init -i generator/locale/messages.pot -d generator/locale -l xx`, translate, commit.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k tr --add-location=file --sort-output --omit-header \
	  --project=Practica -o generator/locale/messages.pot .
	$(BIN)/pybabel update -i generator/locale/messages.pot -d generator/locale --no-fuzzy-matching \
	  --ignore-obsolete

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; \
	fi

# The service's tests also run on PostgreSQL: a throwaway cluster per run (tests/pgcluster.py) from Debian's package.
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "Installing Debian's postgresql for the service's tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql; \
	fi

# The deployment test starts deploy/'s nginx configuration in front of two instances, in the foreground in a
# temporary folder. On a machine with systemd the package also starts a system nginx on port 80:
# `systemctl disable --now nginx` if you do not want it.
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
	  echo "Installing Debian's nginx for the deployment test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nginx; \
	fi

build: install
	$(BIN)/practica build

serve: install
	$(BIN)/practica serve --dev-addr 127.0.0.1:$(SITE_PORT)

## make bench [ARGS=--quick]: benchmarks against the budgets; results in bench/out/, recorded in bench/BENCHMARKS.md
bench: install chromium
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf site .cache .pytest_cache .mypy_cache .ruff_cache
