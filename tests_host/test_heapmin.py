# tools/heapmin.py: bisection of the smallest MicroPython heap for a scenario, with the
# mhttp bundle as .mpy, checkpoints and a host-side driver.
import os
import subprocess
import sys

from conftest import ROOT, require

sys.path.insert(0, os.path.join(ROOT, "tools"))
import heapmin  # noqa: E402

ALLOC = '''
try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""): pass
import sys
import mhttp.h1
assert mhttp.h1.__file__.endswith(".mpy"), mhttp.h1.__file__
b = bytearray(int(sys.argv[1]))
checkpoint("after alloc")
print(len(b))
'''

SERVE = '''
import sys, socket
from mhttp.h1 import H1Protocol, SERVER, EV_HEADERS
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(socket.getaddrinfo("127.0.0.1", int(sys.argv[1]))[0][-1])
s.listen(1)
print("HEAPMIN READY")
c, _ = s.accept()
p = H1Protocol(SERVER)
p.receive_data(c.recv(1024))
ev = p.next_event()
assert ev[0] == EV_HEADERS and ev[1].get(b":path") == b"/heap", ev
c.send(b"HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\nconnection: close\\r\\n\\r\\nok")
c.close()
s.close()
'''


def test_bisects_to_the_allocation_with_checkpoints(tmp_path):
    sc = tmp_path / "alloc.py"
    sc.write_text(ALLOC)
    r = heapmin.find_min_heap(str(sc), ["100000"], timeout=20, log=lambda *a: None)
    # The live heap at the checkpoint (mhttp.h1 loaded from .mpy + the 100000-byte
    # buffer) must fit, with little slack beyond it (GC table, interpreter state),
    # found to the 1 KiB resolution.
    alloc, live = r["checkpoints"]["after alloc"]
    assert 100000 < live <= alloc, r["checkpoints"]
    assert live < r["min_heap"] < live + 24 * 1024, r
    assert r["min_heap"] % 1024 == 0
    assert r["failed_at"] == r["min_heap"] - 1024, r
    assert "MemoryError" in r["last_failure"]
    assert len(r["runs"]) <= 12


def test_fails_when_even_hi_is_too_small(tmp_path):
    sc = tmp_path / "alloc.py"
    sc.write_text(ALLOC)
    r = heapmin.find_min_heap(str(sc), ["300000"], hi=256 * 1024, timeout=20)
    assert r["min_heap"] is None
    assert "MemoryError" in r["last_failure"]
    assert len(r["runs"]) == 1


def test_driver_and_port_substitution(tmp_path):
    curl = require("curl")
    sc = tmp_path / "serve.py"
    sc.write_text(SERVE)
    driver = "%s -sf --max-time 5 http://127.0.0.1:{port}/heap | grep -qx ok" % curl
    r = heapmin.find_min_heap(str(sc), ["{port}"], driver=driver, timeout=15)
    assert r["min_heap"] is not None and 8 * 1024 <= r["min_heap"] < 256 * 1024, r
    # A driver that fails makes every run fail.
    r = heapmin.find_min_heap(str(sc), ["{port}"], driver=driver.replace("/heap", "/nope"),
                              hi=64 * 1024, timeout=15)
    assert r["min_heap"] is None and "driver exited" in r["last_failure"], r


def test_cli_and_timeout(tmp_path):
    sc = tmp_path / "hang.py"
    sc.write_text("import time\ntime.sleep(30)\n")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "heapmin.py"), str(sc),
                        "--timeout", "1", "--hi", "64K"], capture_output=True, timeout=60)
    assert p.returncode == 2, p
    assert b"timed out after 1.0s" in p.stdout, p.stdout


TRANSIENT = '''
try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""): pass
import time
checkpoint("before")
keep = []
for i in range(40):           # 40 x 2 KiB held for ~0.3 s, then dropped: between checkpoints
    keep.append(bytearray(2048))
    time.sleep_ms(8)
keep = None
checkpoint("after")
print("done")
'''


def test_sampled_peak_sees_what_checkpoints_miss(tmp_path):
    # The checkpoints sit before and after an 80 KiB transient: their live figures miss
    # it, the sampled peak (a separate run) must not.
    sc = tmp_path / "transient.py"
    sc.write_text(TRANSIENT)
    r = heapmin.find_min_heap(str(sc), timeout=20, log=lambda *a: None)
    live = max(l for _, l in r["checkpoints"].values())
    assert live < 40 * 1024, r["checkpoints"]
    assert r["sampled_live"] > 80 * 1024, r
    assert r["sampled_live"] > live + 70 * 1024
    assert r["min_heap"] > 80 * 1024
    r0 = heapmin.find_min_heap(str(sc), lo=64 * 1024, hi=256 * 1024, timeout=20,
                               log=lambda *a: None, sample_ms=0)
    assert r0["sampled_live"] is None
