# mhttp.request / mhttp.client: what goes on the wire, checked against raw sockets that
# record each request (client_servers.RawServer).  CPython only; the pure logic of each
# case is in tests_host/core (portable).
import asyncio
import io

from client_servers import RawServer

import mhttp.request as request

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def _go(r, face):
    if face == "async":
        async def go():
            h, s = await r.go(10)
            return h, await s.get_body_as_string(10)
        return asyncio.run(asyncio.wait_for(go(), 20))
    h, s = r.go_blocking(10)
    return h, s.get_body_as_string(10)


def _lines(req):
    return req.partition(b"\r\n\r\n")[0].split(b"\r\n")


def test_set_body_file_sent_from_its_start():
    # lua-http's set_body(file): the file is seek'd to its start, then sent; the
    # content-length counts it from there too (it counted from the read position).
    raw = RawServer(OK, close=True, read_body=True)
    try:
        for face in ("blocking", "async"):
            f = io.BytesIO(b"0123456789")
            f.read(3)
            w = io.BytesIO()
            w.write(b"written, not rewound")
            for body, want in ((f, b"0123456789"), (w, b"written, not rewound")):
                request.POOL.close_all()
                r = request.new_from_uri(raw.url + "/up")
                r.headers.upsert(":method", "PUT")
                r.set_body(body)
                h, b = _go(r, face)
                assert (h.get(":status"), b) == (b"200", b"ok")
                head, _, sent = raw.reqs[-1].partition(b"\r\n\r\n")
                assert b"content-length: %d" % len(want) in head.split(b"\r\n")
                assert sent == want
    finally:
        raw.stop()
        request.POOL.close_all()
