# mhttp.server.close() racing HTTP/2 connections (tests_host/_h2_drain_races.py, on
# CPython and the MicroPython unix port): a first HTTP/2 handler started during close()'s
# wait is cancelled at its timeout; a connection that sends its first bytes after
# close() returned is not served; an `Upgrade: h2c` switched while close() runs gets
# GOAWAY and its answer (the lingering close after the final GOAWAY).
import os

import pytest

from conftest import ROOT, free_port, run_on

SCRIPT = os.path.join(ROOT, "tests_host", "_h2_drain_races.py")


def _run(runtime, mode):
    r = run_on(runtime, [SCRIPT, mode, str(free_port())], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("END"), out + r.stderr.decode()
    d = {}
    for ln in out.splitlines():
        k, _, v = ln.partition(" ")
        d[k] = v.split()
    return d, out


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_first_h2_handler_during_close_is_cancelled_at_its_timeout(runtime):
    d, out = _run(runtime, "late")
    c = d["CLOSE_RETURNED"]
    # close(1.5) returned at its timeout with no handler running and none tracked
    assert 1400 <= int(c[0]) < 3000, out
    assert c[1:] == ["RUNNING", "0", "tasks", "0", "h2tasks", "0", "conns", "0"], out
    assert d["ONE_S_LATER"] == ["RUNNING", "0", "tasks", "0"], out
    assert d["A"] == ["b'HTTP/1.1", "200", "OK'"], out     # the HTTP/1.1 request in flight


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_a_connection_silent_until_close_returned_is_not_served(runtime):
    d, out = _run(runtime, "silent")
    c = d["CLOSE_RETURNED"]
    assert int(c[0]) < 1000, out                # nothing to wait for
    assert c[1:] == ["RUNNING", "0", "tasks", "0", "h2tasks", "0", "conns", "0"], out
    assert d["ONE_S_LATER"] == ["RUNNING", "0", "tasks", "0"], out
    assert d["B_BODIES"][:1] == ["{}"], out      # its request got no answer


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_h2c_upgrade_while_closing_gets_goaway_and_its_answer(runtime):
    if runtime == "micropython":
        # The lingering close after our final GOAWAY needs a half-close, which
        # MicroPython's sockets lack (as for every error response there, see
        # test_h1_spec_live): the client's preface, arriving after the server closed,
        # resets the connection before the client read stream 1's answer.
        pytest.xfail("no half-close on MicroPython sockets: the answer may be lost to a reset")
    d, out = _run(runtime, "upgrade")
    line = " ".join(d["CLOSE_TOOK"])
    assert int(d["CLOSE_TOOK"][0]) < 2900, out           # not close(3)'s timeout
    assert "GOAWAYS [" in line and "(0, 1)]" in line, out   # the final GOAWAY: last stream 1
    assert "NEW_STREAM_SENT []" in line, out              # (the client saw GOAWAY first)
    assert "BODIES [(1, b'done /up')]" in line, out
    assert d["CONNS"] == ["0"] and d["STREAMS"] == ["0"] and d["RUNNING"] == ["0"], out
    assert d["TASKS"] == ["0", "0"], out


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_goaway_connection_leaves_the_pool_after_its_last_stream(runtime):
    # mhttp.request's pool: a shared HTTP/2 connection that got GOAWAY(last 1) with
    # stream 1 in flight, whose server keeps TCP open (RFC 9113 §6.8 allows it): /b goes
    # to a new connection; once stream 1's answer is read the old one leaves the pool and
    # is closed (before, it stayed there open until evicted: Pool.get stops at the newest
    # usable entry)
    r = run_on(runtime, [os.path.join(ROOT, "tests_host", "_h2_pool_goaway.py"),
                         str(free_port())], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("END"), out + r.stderr.decode()
    lines = dict(l.split(" ", 1) for l in out.splitlines() if " " in l)
    assert lines["B"] == "(b'200', b'again')", out
    assert lines["A"] == "(b'200', b'answer 1')", out
    # after /a's body: one connection in the pool, without GOAWAY, open, no stream
    later = lines["LATER"]
    assert later.count("(") == 1 and ", False, 0, False, False)]" in later, out
    assert later.endswith("server conns 2"), out
