# A client WebSocket's ws.headers (the server's 101 head) after connect(): on MicroPython
# over HTTP/1.1 the head is kept as one compact bytes object and made into a Headers on
# first use (mhttp._ws_tun.Tunnel; board RAM), and the blocking face drops mhttp.headers
# again when the handshake loaded it.  The fields read must be exactly the ones the
# server sent (names, values, never_index), for a plain head (read by mhttp._ws_open) and
# one that mhttp.h1 reads (a tab, obs-text), on both runtimes, both faces; ws.headers and
# ws.stream.headers are the same object, of the mhttp.headers.Headers class in
# sys.modules.  Fresh interpreters, against a raw server written here.

import pytest

from conftest import run_on, require_micropython

from _ws_raw import served
EXTRA = {
    # fields after the accept: a cookie (never_index by default), an empty value, a
    # long one; "h1": a tab and obs-text in values, which the plain case leaves to
    # mhttp.h1
    "plain": b"Set-Cookie: a=b\r\nX-Empty: \r\nX-Long: " + b"v" * 300 + b"\r\n",
    "h1": b"Set-Cookie: a=b\r\nX-Tab: a\tb\r\nX-Obs: \xe9t\xe9\r\n",
}


def _answer(mode, c, head, acc):
    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n"
              + EXTRA[mode] + b"\r\n" + b"\x81\x02hi")
    # then wait for the client's close frame (masked, no payload here) and
    # echo a close
    try:
        c.recv(64)
        c.sendall(b"\x88\x02\x03\xe8")
    except OSError:
        pass


def _served(mode):
    # the raw server (tests_host/_ws_raw.py) answering as `mode` says: -> a context
    # manager giving its port
    return served(lambda c, head, acc: _answer(mode, c, head, acc))


CLIENT = r"""
import sys
if %(own)r == "headers":
    import mhttp.headers
elif %(own)r == "h1":
    import mhttp.h1
from mhttp import websocket
MP = sys.implementation.name == "micropython"
url = "ws://127.0.0.1:%(port)d/"
if %(blocking)r:
    ws = websocket.new_from_uri(url, blocking=True)
    ws.connect(10)
    w = ws.unwrap()
    print("LOADED", "mhttp.headers" in sys.modules)
    h = ws.headers
    print("RECV", ws.receive(5))
else:
    import asyncio

    async def main():
        ws = websocket.new_from_uri(url)
        await ws.connect(10)
        print("LOADED", "mhttp.headers" in sys.modules)
        h = ws.headers
        print("RECV", await ws.receive(5))
        return ws, h
    w, h = asyncio.run(main())
from mhttp.headers import Headers
print("CLASS", isinstance(h, Headers), type(h) is sys.modules["mhttp.headers"].Headers)
print("SAME", w.headers is h, w.stream.headers is h, w.connection.headers is h)
# (the accept value differs per connection: its length here)
print("FIELDS", [(f[0], f[1] if f[0] != b"sec-websocket-accept" else len(f[1]), f[2])
                 for f in h])
print("GET", h.get(":status"), h.get("set-cookie"))
# a kept mhttp._h1_client (with the program's mhttp.h1) makes the same Headers class
c = sys.modules.get("mhttp._h1_client")
print("H1CLIENT", c is not None, c is None or c.Headers is Headers)
print("OK")
"""


def _want(mode):
    l = [(b":status", b"101", False), (b"upgrade", b"websocket", False),
         (b"connection", b"Upgrade", False), (b"sec-websocket-accept", 28, False),
         (b"set-cookie", b"a=b", True)]
    if mode == "plain":
        l += [(b"x-empty", b"", False), (b"x-long", b"v" * 300, False)]
    else:
        l += [(b"x-tab", b"a\tb", False), (b"x-obs", b"\xe9t\xe9", False)]
    return l


@pytest.mark.parametrize("mode", ["plain", "h1"])
@pytest.mark.parametrize("blocking", [True, False])
@pytest.mark.parametrize("own", ["", "headers", "h1"])
@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_response_head_after_connect(mode, blocking, own, runtime, tmp_path):
    if runtime == "micropython":
        require_micropython()
    with _served(mode) as port:
        f = tmp_path / "c.py"
        f.write_text(CLIENT % {"own": own, "port": port, "blocking": blocking})
        r = run_on(runtime, [str(f)], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("OK"), out + r.stderr.decode()
    lines = dict(l.split(" ", 1) for l in out.splitlines() if " " in l)
    # mhttp.headers after connect(): on MicroPython the plain handshake does not load it
    # (mhttp._ws_open reads the head into a list of fields), on either face; dropped on
    # MicroPython's blocking face when the handshake loaded it (mhttp.h1 reading the
    # head: it goes with the HTTP/1.1 client's modules), kept when the program imported
    # it, or when mhttp._h1_client, which holds its class, stays (the program's mhttp.h1,
    # and mhttp.h1 read the head)
    dropped = runtime == "micropython" and (own == "" or own == "h1") and (
        mode == "plain" or blocking and own == "")
    assert lines["LOADED"] == str(not dropped), out
    assert lines["H1CLIENT"].split()[1] == "True", out
    assert lines["RECV"] == "('hi', 'text')", out
    assert lines["CLASS"] == "True True", out
    assert lines["SAME"] == "True True True", out
    assert lines["FIELDS"] == repr(_want(mode)), out
    assert lines["GET"] == "b'101' b'a=b'", out
