# `mhttp serve`'s /ws echo (mhttp.cli_serve.ws_echo), on CPython and on the MicroPython unix
# port: a text message comes back as text, a binary one as binary (the echo sends without
# naming the opcode: send() picks it from the type receive() gave), the closing handshake
# completes, a request that is not an acceptable upgrade gets its 400 / 426 (the reject
# path, imported from mhttp._ws_server directly), and on MicroPython a plain echo loads
# neither mhttp._ws_more (the opcode table, and the module __getattr__ behind
# mhttp.websocket.new_from_stream) nor the error texts (board RAM: ~2.3 KB from ROMFS;
# `make demo` ran out of heap at MHTTP_VBOARD_HEAP_SCALE=1.4 with it loaded).
# The client side is raw asyncio streams, so nothing of mhttp's client is imported.
import pytest

from conftest import free_port, run_on

SCRIPT = r'''
import sys, asyncio
from mhttp import server
from mhttp.cli_serve import handler

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="   # RFC 6455 §1.3's sample key

def frame(op, payload):
    # a masked client frame (payload < 126 bytes)
    m = b"\x11\x22\x33\x44"
    return bytes([0x80 | op, 0x80 | len(payload)]) + m + bytes(
        [b ^ m[i & 3] for i, b in enumerate(payload)])

async def read_frame(r):
    h = await r.readexactly(2)
    n = h[1] & 0x7f
    if n == 126:
        e = await r.readexactly(2)
        n = e[0] << 8 | e[1]
    return h[0], await r.readexactly(n)

async def head(r):
    data = b""
    while b"\r\n\r\n" not in data:
        c = await r.read(1)
        if not c:
            break
        data += c
    return data

async def ws(port):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + KEY + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    await w.drain()
    h = await asyncio.wait_for(head(r), 5)
    print("HS", h.split(b"\r\n")[0].decode(),
          b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in h)
    for op, payload in ((1, b"hello text"), (2, bytes(range(100))), (1, b""), (2, b"")):
        w.write(frame(op, payload))
        await w.drain()
        b0, got = await asyncio.wait_for(read_frame(r), 5)
        print("ECHO", op, b0 == 0x80 | op, got == payload)
    w.write(frame(8, b"\x03\xe8bye"))
    await w.drain()
    b0, got = await asyncio.wait_for(read_frame(r), 5)
    print("CLOSE", b0 == 0x88, got[:2] == b"\x03\xe8")
    w.close()

async def refused(port, extra):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET /ws HTTP/1.1\r\nHost: x\r\n" + extra + b"Connection: close\r\n\r\n")
    await w.drain()
    h = await asyncio.wait_for(head(r), 5)
    w.close()
    return h.split(b"\r\n")[0].decode()

async def main(port):
    srv = server.listen(handler, host="127.0.0.1", port=port, http2=False)
    await srv.listen()
    await ws(port)
    # the server's side of that websocket ends after our close: until it did (bounded,
    # 5 s), a module it loads on its way out would not show below
    for i in range(500):
        if not srv.conns and not srv.pending:
            break
        await asyncio.sleep(0.01)
    print("MODS", "mhttp._ws_more" in sys.modules, "mhttp._errors_more" in sys.modules,
          "mhttp._ws_hserr" in sys.modules)
    print("PLAIN", await refused(port, b""))
    print("V12", await refused(port, b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                     b"Sec-WebSocket-Key: " + KEY + b"\r\n"
                                     b"Sec-WebSocket-Version: 12\r\n"))
    await srv.close(1)

asyncio.run(main(%d))
'''


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_serve_ws_echo_keeps_opcodes_and_loads_no_rare_module(runtime):
    r = run_on(runtime, ["-c", SCRIPT % free_port()], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    lines = [l for l in out.split("\n") if l]
    assert lines[0] == "HS HTTP/1.1 101 Switching Protocols True", lines
    assert lines[1:5] == ["ECHO 1 True True", "ECHO 2 True True",
                          "ECHO 1 True True", "ECHO 2 True True"], lines
    assert lines[5] == "CLOSE True True", lines
    if runtime == "micropython":
        # (CPython binds the rare methods at import: mhttp._lazy.settle)
        assert lines[6] == "MODS False False False", lines   # (_ws_hserr: a refusal's)
    assert lines[7] == "PLAIN HTTP/1.1 400 Bad Request", lines
    assert lines[8] == "V12 HTTP/1.1 426 Upgrade Required", lines
