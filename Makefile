# Two commands do everything on a fresh machine:
#   make run   set up .venv and start the app on the bundled backend
#   make test  set up .venv, the browser and PostgreSQL, and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUNTIME := $(VENV)/.runtime-installed
STAMP_DEV := $(VENV)/.dev-installed
# `make run PORT=8601` or STREAMLIT_SERVER_PORT=8601 (Streamlit's own setting) both choose the port.
PORT ?= $(or $(STREAMLIT_SERVER_PORT),8501)
# The bundled API server's processes (`serve --workers`): two let a list's concurrent pages and
# several users use both cores of a small machine (README, Benchmarks). The tests run one.
SERVER_WORKERS ?= $(or $(STEMGUI_SERVER_WORKERS),2)
# pytest-xdist workers for `make test`. Two on 2 cores: a third filled the cores' idle time
# (626 -> 553-606 s) but, with three browser tests at once, a save once took longer than the
# app's 2.5 s write budget and went to the outbox, as it should on a backend that slow, failing a
# test that expects it saved (README, Tests). `make test TEST_WORKERS=4` on a bigger machine.
TEST_WORKERS ?= 2

.PHONY: run test server demo lint bench system-deps clean

$(STAMP_RUNTIME): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt $(STAMP_RUNTIME)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(STAMP_RUNTIME)
	STEMGUI_SERVER_WORKERS=$(SERVER_WORKERS) $(BIN)/streamlit run app.py --server.port $(PORT)

# The first start's admin is made, and its password printed here, before Streamlit starts
# (Streamlit runs app.py only on the first browser visit).
.PHONY: first-run
run: first-run
first-run: $(STAMP_RUNTIME)
	$(BIN)/python -m stemgui.firstrun

# The bundled API server alone, with demo data (handy for curl and other clients).
server: $(STAMP_RUNTIME)
	$(BIN)/python -m stemgui.server demo
	$(BIN)/python -m stemgui.server serve

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser) and
# Debian's PostgreSQL for the second database backend. A failed install is reported, and the
# tests that need it are then skipped with the reason, visibly.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
			|| echo "!!! could not install:$$missing -- the tests that need it will be SKIPPED"; \
	fi

test: $(STAMP_DEV) system-deps
	@pg_url=$$(scripts/test-postgres.sh start 2>.pg-start-error) \
		|| echo "!!! PostgreSQL unavailable: $$(cat .pg-start-error) -- PostgreSQL tests will be SKIPPED"; \
	STEMGUI_TEST_POSTGRES_URL="$$pg_url" STEMGUI_TEST_POSTGRES_ERROR="$$(cat .pg-start-error)" \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal; status=$$?; \
	scripts/test-postgres.sh stop; rm -f .pg-start-error; exit $$status

lint: $(STAMP_DEV)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
