# A client WebSocket's receive(timeout) and close(timeout) end within their timeout when
# the server ends the WebSocket (its close frame, or the echo of ours) but keeps TCP open:
# the client's wait for the server to close TCP (close_timeout, RFC 6455 §7.1.1) is cut
# at the caller's deadline (DESIGN.md: every blocking call takes a timeout).  Without a
# caller's timeout, close_timeout still bounds that wait.  Both faces, both runtimes,
# against a raw server written here that never closes the connection first.  (Audit 13,
# f01: both calls returned after ~3 s, the default close_timeout, whatever their timeout.)

import time

import pytest

from conftest import run_on, require_micropython

from _ws_raw import served


def _answer(mode, c, head, acc):
    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
    c.settimeout(0.1)
    end = time.time() + 8
    if mode == "server-closes":
        c.sendall(b"\x88\x02\x03\xe8")              # close 1000, unmasked
    got = b""
    while time.time() < end:                        # TCP stays open until the client's
        try:                                        # close, or 8 s
            d = c.recv(4096)
        except OSError:
            continue
        if not d:
            return
        got += d
        if mode == "echo" and len(got) >= 2 and got[0] == 0x88:
            c.sendall(b"\x88\x02\x03\xe8")          # echo a close, keep TCP open
            mode = "echoed"


CLIENT = r"""
import sys, time
from mhttp import websocket
url = "ws://127.0.0.1:%(port)d/"
call = %(call)r
to = %(timeout)r


def ms(t0):
    return int((time.time() - t0) * 1000)


if %(blocking)r:
    ws = websocket.new_from_uri(url, blocking=True)
    ws.close_timeout = %(close_timeout)r
    ws.connect(10)
    t0 = time.time()
    r = ws.receive(to) if call == "receive" else ws.close(1000, "bye", to)
    print("RESULT", r, ms(t0), ws.ready_state == websocket.CLOSED, ws.close_code)
else:
    import asyncio

    async def main():
        ws = websocket.new_from_uri(url)
        ws.close_timeout = %(close_timeout)r
        await ws.connect(10)
        t0 = time.time()
        r = await (ws.receive(to) if call == "receive" else ws.close(1000, "bye", to))
        print("RESULT", r, ms(t0), ws.ready_state == websocket.CLOSED, ws.close_code)
    asyncio.run(main())
print("OK")
"""

# (call, the raw server's mode, timeout, close_timeout, the bound in ms, the result)
CASES = [
    ("receive", "server-closes", 0.5, 3, 1500, "None"),
    ("close", "echo", 0.5, 3, 1500, "True"),
    # no caller's timeout: close_timeout (short here) bounds the wait for TCP's end
    ("receive", "server-closes", None, 0.4, 1500, "None"),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("blocking", [True, False])
@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_close_waits_end_at_the_callers_deadline(case, blocking, runtime, tmp_path):
    if runtime == "micropython":
        require_micropython()
    call, mode, timeout, close_timeout, bound, want = CASES[case]
    with served(lambda c, head, acc: _answer(mode, c, head, acc)) as port:
        f = tmp_path / "c.py"
        f.write_text(CLIENT % {"port": port, "blocking": blocking, "call": call,
                               "timeout": timeout, "close_timeout": close_timeout})
        r = run_on(runtime, [str(f)], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("OK"), out + r.stderr.decode()
    res = [l.split() for l in out.splitlines() if l.startswith("RESULT")][0]
    assert res[1] == want, out
    assert int(res[2]) < bound, out
    assert res[3] == "True" and res[4] == "1000", out
