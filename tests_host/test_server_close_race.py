# mhttp.server's close() (and pause()) racing a listen() still binding, on CPython (the
# asyncio.Protocol fast path and asyncio streams) and on the MicroPython unix port
# (tests_host/_server_close_race.py, server and probes in one process):
#   - loop() in a task that got a turn or more (its listen() binding), then close():
#     once close() returned, nothing listens on the port (a connect() is refused), loop()
#     has returned, no task is left (the accept loop, the reaper); before, the bind went
#     on after close() returned: the port kept accepting (each connection answered 503),
#     the reaper restarted, and the next server on the port failed with EADDRINUSE;
#   - the same with an explicit `await srv.listen()` in the other task;
#   - pause() while listen() binds: once listen() returned nothing listens and
#     localname() is None; resume() listens and serves again (before: it listened);
#   - pause() then resume() while listen() binds: it listens and serves (before:
#     resume() bound a second time, EADDRINUSE);
#   - listen() after close(): nothing bound (before: it listened, with no close() left);
#   - loop() started while another task's listen() binds: one bind, served, and close()
#     ends both (before: loop() bound again, EADDRINUSE).
import os

import pytest

from conftest import ROOT, free_port, keyed, run_on

SCRIPT = os.path.join(ROOT, "tests_host", "_server_close_race.py")
VARIANTS = [("cpython", ""), ("cpython", "streams"), ("micropython", "")]
STEPS = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12)


def _run(runtime, variant, what):
    args = [SCRIPT, what, str(free_port())]
    if variant:
        args.append(variant)
    r = run_on(runtime, args, timeout=120)
    out, err = r.stdout.decode(), r.stderr.decode()
    assert r.returncode == 0 and out.rstrip().endswith("END"), out + err
    assert "Traceback" not in out + err and "Warning" not in err, out + err
    return keyed(out), out


@pytest.mark.parametrize("runtime,variant", VARIANTS)
@pytest.mark.parametrize("what,key", [("loop", "LOOP"), ("listen", "LISTEN")])
def test_close_while_listen_binds(runtime, variant, what, key):
    d, out = _run(runtime, variant, what)
    for n in STEPS:
        # (the task returned, not listening, no task left)
        assert d[key + str(n)] == "returned False 0", (n, out)


@pytest.mark.parametrize("runtime,variant", VARIANTS)
def test_pause_while_listen_binds(runtime, variant):
    d, out = _run(runtime, variant, "pause")
    for n in STEPS[1:6]:
        assert d["PAUSE%d" % n] == "returned False None", (n, out)
        assert d["RESUME%d" % n] == "HTTP/1.1 200 OK True", (n, out)
        assert d["CLOSED%d" % n] == "False 0", (n, out)


@pytest.mark.parametrize("runtime,variant", VARIANTS)
def test_pause_resume_while_listen_binds(runtime, variant):
    d, out = _run(runtime, variant, "undo")
    assert d["UNDO"] == "returned HTTP/1.1 200 OK", out
    assert d["CLOSED"] == "False 0", out


@pytest.mark.parametrize("runtime,variant", VARIANTS)
def test_listen_after_close_binds_nothing(runtime, variant):
    d, out = _run(runtime, variant, "after")
    assert d["AFTER"] == "False None 0", out


@pytest.mark.parametrize("runtime,variant", VARIANTS)
def test_loop_while_another_listen_binds(runtime, variant):
    d, out = _run(runtime, variant, "double")
    assert d["FIRST"] == "returned", out
    assert d["SERVED"] == "HTTP/1.1 200 OK False", out
    assert d["LOOP"] == "returned", out
    assert d["CLOSED"] == "False 0", out
