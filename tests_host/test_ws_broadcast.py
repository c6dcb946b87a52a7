# Writes made by a task other than the connection's own coroutine while that coroutine
# waits for its peer: a broadcaster sending to every open WebSocket (over HTTP/1.1 and
# over HTTP/2), and an HTTP/1.1 handler streaming its response from a second task while
# it reads the request body (full duplex).  Each write must reach the peer at once: on
# CPython's asyncio.Protocol fast path they sat in the connection's buffer until the
# peer itself sent something (ProtocolIO.send corked every write, not only those of the
# connection's own step).  Driven by _ws_broadcast.py on both runtimes and both CPython
# I/O paths (fast path, streams=True).
import pytest

from conftest import free_port, run_on

CASES = [("ws", ()), ("ws", ("h2",)), ("duplex", ())]


# (streams=True is CPython's second server I/O path; MicroPython has one)
PATHS = [("cpython", False), ("cpython", True), ("micropython", False)]


@pytest.mark.parametrize("runtime,streams", PATHS)
@pytest.mark.parametrize("mode,extra", CASES)
def test_write_from_another_task_goes_out_at_once(runtime, streams, mode, extra):
    args = ["tests_host/_ws_broadcast.py", mode, str(free_port())] + list(extra)
    if streams:
        args.append("streams")
    r = run_on(runtime, args, timeout=60)
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 0, out + r.stderr.decode(errors="replace")[-3000:]
    assert ("OK " + mode) in out
