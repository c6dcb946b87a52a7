# mhttp: `make demo` and `make test` set everything up themselves.
PY3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp

.PHONY: setup sysdeps wasm32 demo test test-host test-micropython test-device bench bundle clean

setup: $(STAMP) sysdeps wasm32

$(STAMP): requirements-dev.txt pyproject.toml setup.py
	$(PY3) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

sysdeps:
	@tools/sysdeps.sh

# The wasm32 MicroPython 1.27 (npm, pinned) in .venv/node: the portable core tests on a
# release MicroPython, and tools/bench/bench_board_32bit.py.  Node and npm: sysdeps.
wasm32: $(STAMP) sysdeps
	@$(PY) tools/wasm32_port.py

demo: setup
	$(PY) tools/demo.py

# Everything: host tests (including the portable core on the MicroPython unix port and
# the virtual boards).  pytest prints the closing "N passed" line CI reads.
test: setup
	$(PY) -m pytest -q tests_host tests_device

# Benchmarks (tools/bench/run.py runs every tools/bench/bench_*.py); the peers they
# compare with (uvicorn, httptools, hypercorn, microdot) come from requirements-bench.txt.
bench: setup
	$(PY) -m pip install -q -r requirements-bench.txt
	$(PY) tools/bench/run.py

bundle: setup
	$(PY) tools/bundle.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
