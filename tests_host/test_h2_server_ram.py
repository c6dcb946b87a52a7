# Board RAM, pay for what you use: a plain h2c (prior knowledge) server exchange on the
# MicroPython unix port loads none of the modules its requests do not need: not mhttp._io
# (mhttp.h2_connection takes its clock from the port, as mhttp._io does: ROMFS 0.6 KB,
# as .mpy files 0.9 KB), nor the rare / error modules of the HTTP/2 stack.  The client is
# an mhttp.h2 core over asyncio streams in the same script (it loads none of them either).
# On CPython the same exchange runs and answers alike (the clock comes from mhttp._io).
import pytest

from conftest import free_port, run_on

MODS = ("mhttp._io", "mhttp._h2_rare", "mhttp._h2_conn_rare", "mhttp._h2_stream_rare",
        "mhttp._errors_h2", "mhttp._hpack_more")

SCRIPT = r'''
import sys, asyncio
from mhttp import server
from mhttp.headers import Headers
from mhttp.h2 import H2Protocol

MODS = %r
H = Headers([(":status", "200"), ("content-type", "text/plain"), ("content-length", "2")])

async def onstream(srv, stream):
    await stream.get_headers()
    await stream.write_headers(H, False)
    await stream.write_chunk(b"ok", True)

async def main(port):
    srv = server.listen(onstream, host="127.0.0.1", port=port)
    await srv.listen()
    r, w = await asyncio.open_connection("127.0.0.1", port)
    c = H2Protocol(client=True)
    c.initiate_connection()
    req = Headers([(":method", "GET"), (":path", "/"), (":scheme", "http"),
                   (":authority", "x")])
    for i in range(3):
        c.send_headers(c.get_next_available_stream_id(), req, True)
    w.write(c.data_to_send())
    await w.drain()
    got = []
    ended = 0
    for _ in range(100):
        d = await asyncio.wait_for(r.read(4096), 5)
        if not d:
            break
        for e in c.receive_data(d):
            if e[0] == 1:
                got.append(e[2].get(b":status"))
            elif e[0] == 2:
                got.append(bytes(e[2]))
                ended += 1 if e[4] else 0
        out = c.data_to_send()
        if out:
            w.write(out)
            await w.drain()
        if ended == 3:
            break
    print("GOT", got)
    print("LOADED", [m for m in MODS if m in sys.modules])
    w.close()
    await srv.close(1)

asyncio.run(main(%d))
'''


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_plain_h2c_exchange_loads_no_io_nor_rare_module(runtime):
    r = run_on(runtime, ["-c", SCRIPT % (MODS, free_port())], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    lines = out.split("\n")
    assert lines[0] == "GOT [b'200', b'ok', b'200', b'ok', b'200', b'ok']", lines
    if runtime == "micropython":
        assert lines[1] == "LOADED []", lines
