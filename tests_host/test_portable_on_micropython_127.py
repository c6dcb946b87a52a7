# Runs every portable test module (tests_host/core/test_*.py) on a release MicroPython,
# 1.27, as boards run it: the wasm32 port (npm's @micropython/micropython-webassembly-
# pyscript, pinned in tools/wasm32_port.py, which `make test` installs into .venv/node)
# under node, through tools/mptest_wasm.mjs (tools/mptest.py's runner for that port).
# test_portable_on_micropython.py runs the same files on the unix port, a 1.29 preview,
# which accepts things 1.27 does not (bytes.find(int), an __all__ from a module
# __getattr__): this file catches those.  One pytest case (one node process) per core
# file, as there; about a minute in all.
#
# The port is not a board: it has no sockets, no hashlib.sha1, no os.urandom and no
# asyncio.run (its asyncio runs tasks from JS timers; the runner supplies both, see
# tools/mptest_wasm.mjs), a pure-Python binascii, and it collects garbage only between
# calls from JavaScript (the runner calls once per test; a gc.collect() inside a test
# only flags a collection, so one test's garbage stays until it returns: the node
# process peaks near 800 MB in test_h1_corpus).  A test that needs what the port lacks is
# listed in LACKS below with the reason and the error that proves it: the runner still
# runs it and requires that failure (a test that starts passing, or fails some other
# way, fails here).  Nothing else may fail.
import glob
import os
import re
import subprocess

import pytest

from conftest import ROOT, require_wasm32_micropython

CORE = sorted(glob.glob(os.path.join(ROOT, "tests_host", "core", "test_*.py")))
RUNNER = os.path.join(ROOT, "tools", "mptest_wasm.mjs")

_NO_SOCKET = ("sockets: the port has no socket module", "no module named 'socket'")

# "file::test": (reason, text its failure's repr must hold)
LACKS = {
    "test_io_errors.py::test_blocking_connect_refuses_alpn_on_micropython": _NO_SOCKET,
    "test_io_errors.py::test_refused_async_connect_and_the_asyncio_glue_loaded_on_first_use":
        _NO_SOCKET,
    "test_io_errors.py::test_refused_connect_raises_connection_closed": _NO_SOCKET,
    "test_io_errors.py::test_a_zone_the_resolver_refuses_is_said_clearly": _NO_SOCKET,
    "test_ws_handshake.py::test_portable_sha1_vectors": (
        "hashlib.sha1: the port has hashlib.sha256 only (the test checks mhttp._sha1 "
        "against hashlib.sha1)", "no attribute 'sha1'"),
    "test_ws_handshake.py::test_key_validation_is_strict": (
        "C binascii: the port's binascii is a frozen .py whose a2b_base64 raises a plain "
        "Exception('Incorrect padding'), where C binascii (unix port, boards) raises the "
        "ValueError mhttp._ws_server._valid_key catches", "Incorrect padding"),
    "test_h2_closed_streams.py::test_closed_memory_does_not_grow_after_connection_start": (
        "gc.collect() inside a call: the port collects only between calls from JavaScript, "
        "so gc.mem_alloc() after the test's own collection still counts the garbage",
        "AssertionError"),
    "test_util.py::test_imf_date_matches_gmtime_where_epoch_is_1970": (
        "time.gmtime: the port's gmtime is a day off after 2100-02-28 (4107931545 -> "
        "2100-03-04; CPython and mhttp.imf_date: 03-05), the test's oracle",
        "Mar 2100"),
}


def run_wasm(path):
    # One node process per file: the port's heap only grows (a test's garbage stays until
    # it returns, test_h1_corpus's ~700 MB), and every later collection would sweep it.
    node, pkg = require_wasm32_micropython()
    rel = os.path.relpath(path, ROOT)
    argv = [node, RUNNER, pkg, ROOT]
    for k in sorted(LACKS):
        if k.partition("::")[0] == os.path.basename(path):
            argv += ["-x", "tests_host/core/" + k]
    r = subprocess.run(argv + [rel], cwd=ROOT, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    return r.returncode, r.stdout.decode(errors="replace")


def test_every_listed_lack_names_a_core_test():
    names = set(os.path.basename(p) for p in CORE)
    for k in LACKS:
        f, _, t = k.partition("::")
        assert f in names, k
        with open(os.path.join(ROOT, "tests_host", "core", f)) as fh:
            assert re.search(r"^def %s\(" % t, fh.read(), re.M), k


@pytest.mark.parametrize("path", CORE, ids=[os.path.basename(p) for p in CORE])
def test_core_on_micropython_127(path):
    rel = os.path.relpath(path, ROOT)
    rc, output = run_wasm(path)
    m = re.search(r"^== BEGIN %s\n(.*?)^== %s: (\d+) passed, (\d+) failed \(\d+ ms\)$"
                  % (re.escape(rel), re.escape(rel)), output, re.M | re.S)
    assert m, "no result for %s from the wasm32 port:\n%s" % (rel, output[-5000:])
    out, passed, failed = m.group(1), int(m.group(2)), int(m.group(3))
    assert failed == 0 and passed > 0 and rc == 0, out
    for k, (reason, text) in LACKS.items():
        if k.partition("::")[0] == os.path.basename(path):
            x = re.search(r"^XFAIL tests_host/core/%s: (.*)$" % re.escape(k), out, re.M)
            assert x, "%s (expected to fail here: %s) did not:\n%s" % (k, reason, out)
            assert text in x.group(1), "%s failed otherwise than for %s:\n%s" % (k, reason, out)
