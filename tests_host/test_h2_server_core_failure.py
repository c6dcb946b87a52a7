# When the HTTP/2 core fails on its own (a MemoryError on a board's heap, a bug of ours),
# it ends the connection with GOAWAY(INTERNAL_ERROR, "internal error: ...") rather than
# take the server down; the server reports that through onerror (op "h2 connection"),
# as it reports a failed handler: it used to vanish without a word (audit f07).
import asyncio
import socket
import threading
import time

import mhttp.h2 as h2
from mhttp import server
from mhttp.headers import Headers
from mhttp.hpack import Encoder
from mhttp.h2_frames import (PREFACE, settings_pack, headers_pack, data_pack, parse_frame,
                             goaway_unpack, FRAME_GOAWAY)

from conftest import free_port


def _client(port, out):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    enc = Encoder()
    req = [(b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/"),
           (b":authority", b"t")]
    s.sendall(PREFACE + settings_pack([]) + settings_pack(ack=True) +
              headers_pack(1, enc.encode(req), False) + data_pack(1, b"x" * 100, True))
    buf = b""
    end = time.time() + 5
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        buf += d
    s.close()
    pos = 0
    while True:
        r = parse_frame(buf, pos, 1 << 24)
        if r is None:
            break
        out.append(r[:4])
        pos = r[4]


def test_core_failure_ends_the_connection_and_is_reported(monkeypatch):
    def boom(self, flags, id, p):
        raise MemoryError("memory allocation failed, allocating 16385 bytes")
    handlers = list(h2._HANDLERS)
    handlers[0] = boom                        # DATA
    monkeypatch.setattr(h2, "_HANDLERS", tuple(handlers))
    reports = []
    frames = []

    async def onstream(srv, stream):
        await stream.get_headers()
        await stream.write_headers(Headers(((b":status", b"200"), (b"content-length", b"0"))),
                                   True)

    async def main():
        port = free_port()
        srv = server.listen(onstream, host="127.0.0.1", port=port,
                            onerror=lambda s, st, op, e: reports.append((op, repr(e))))
        await srv.listen()
        th = threading.Thread(target=_client, args=(port, frames))
        th.start()
        while th.is_alive():
            await asyncio.sleep(0.05)
        for _ in range(100):
            if reports:
                break
            await asyncio.sleep(0.02)
        await srv.close(1)
    asyncio.run(asyncio.wait_for(main(), 20))
    g = [goaway_unpack(f[3]) for f in frames if f[0] == FRAME_GOAWAY]
    assert len(g) == 1 and g[0][1] == 2, frames        # INTERNAL_ERROR
    assert b"MemoryError" in g[0][2], g
    # (the handler, whose write then finds the connection closed, may report too)
    ours = [r for r in reports if r[0] == "h2 connection"]
    assert len(ours) == 1, reports
    assert "INTERNAL_ERROR" in ours[0][1] and "MemoryError" in ours[0][1], reports
