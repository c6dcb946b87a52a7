# HTTP/2 test app for tests_host/test_h2_*.py, portable (CPython and the MicroPython unix
# port):  python tests_host/_h2_app.py PORT [--streams] [--cert C --key K] [--max-connections N]
#   /            "Hello, World!" (any request body is read and dropped)
#   /echo        the request body streamed back (flow control both ways)
#   /big?n=N     N bytes (b"0123456789" repeated)
#   /trailers    reads the body and its trailers; answers "n=<bytes> x-req=<trailer>" with
#                the trailer x-count: <bytes>
#   /push        pushes /pushed ("pushed body") unless the client disabled push; body
#                "push=ok" or "push=refused"
#   /slow        answers after 0.3 s (streams run concurrently)
#   /hold        answers after 3 s without reading the request body
#   /stats       "accepted=N requests=N"
#   CONNECT with :protocol (RFC 8441)  200, then the tunnelled bytes echoed upper-cased
import sys

try:
    import _mhttp_port  # noqa: F401
except ImportError:
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [os.path.join(root, "lib"), os.path.join(root, "ports", "cpython")]

import asyncio
from mhttp.headers import Headers
from mhttp.errors import ProtocolError
from mhttp import server as mserver


BLOCK = b"0123456789" * 1638   # 16380 bytes, shared by every /big response


def _h(status, n=None, ct=b"text/plain"):
    h = Headers(((b":status", status), (b"content-type", ct)))
    if n is not None:
        h.append(b"content-length", b"%d" % n)
    return h


async def _drain(stream):
    n = 0
    while True:
        c = await stream.get_next_chunk()
        if c is None:
            return n
        n += len(c)


async def app(server, stream):
    req = await stream.get_headers()
    method = req.get(b":method")
    path = req.get(b":path") or b""
    if method == b"CONNECT":
        await stream.write_headers(Headers(((b":status", b"200"),)), False)
        while True:
            c = await stream.get_next_chunk()
            if c is None:
                break
            await stream.write_chunk(bytes(c).upper(), False)
        await stream.write_chunk(b"", True)
        return
    q = path.find(b"?")
    query = b""
    if q >= 0:
        query = path[q + 1:]
        path = path[:q]
    if path == b"/echo":
        cl = req.get(b"content-length")
        c = await stream.get_next_chunk()
        h = _h(b"200", None, b"application/octet-stream")
        if cl is not None:
            h.append(b"content-length", cl)
        await stream.write_headers(h, False)
        while c is not None:
            await stream.write_chunk(c, False)
            c = await stream.get_next_chunk()
        await stream.write_chunk(b"", True)
    elif path == b"/big":
        n = int(query[2:]) if query[:2] == b"n=" else 1000000
        await _drain(stream)
        await stream.write_headers(_h(b"200", n, b"application/octet-stream"), False)
        block = BLOCK
        left = n
        while left > 0:
            k = len(block) if left > len(block) else left
            left -= k
            await stream.write_chunk(block if k == len(block) else block[:k], left == 0)
    elif path == b"/trailers":
        n = await _drain(stream)
        t = await stream.get_headers()
        x = t.get(b"x-req") if t is not None else None
        body = b"n=%d x-req=%s" % (n, x if x is not None else b"-")
        await stream.write_headers(_h(b"200"), False)
        await stream.write_chunk(body, False)
        await stream.write_headers(Headers(((b"x-count", b"%d" % n),)), True)
    elif path == b"/push":
        await _drain(stream)
        try:
            ps = await stream.push_promise(Headers(((b":method", b"GET"), (b":path", b"/pushed"))))
            result = b"push=ok"
        except ProtocolError:
            ps = None
            result = b"push=refused"
        await stream.write_headers(_h(b"200", len(result)), False)
        await stream.write_chunk(result, True)
        if ps is not None:
            body = b"pushed body"
            await ps.write_headers(_h(b"200", len(body)), False)
            await ps.write_chunk(body, True)
    elif path == b"/slow":
        await _drain(stream)
        await asyncio.sleep(0.3)
        await stream.write_headers(_h(b"200", 4), False)
        await stream.write_chunk(b"slow", True)
    elif path == b"/hold":
        # never reads the request body: the client's window runs out
        await asyncio.sleep(3)
        await stream.write_headers(_h(b"200", 4), False)
        await stream.write_chunk(b"held", True)
    elif path == b"/refuse":
        # a final response without reading the request body (a 413 instead of 100
        # Continue); ?later: its body comes after a pause, not with the head
        body = b"too large\n"
        await stream.write_headers(_h(b"413", len(body)), False)
        if query == b"later":
            await asyncio.sleep(0.3)
        await stream.write_chunk(body, True)
    elif path == b"/stats":
        body = b"accepted=%d requests=%d" % (server.accepted, server.requests)
        await stream.write_headers(_h(b"200", len(body)), False)
        await stream.write_chunk(body, True)
    else:
        await _drain(stream)
        body = b"Hello, World!"
        await stream.write_headers(_h(b"200", len(body)), method == b"HEAD")
        if method != b"HEAD":
            await stream.write_chunk(body, True)


def main(argv):
    port = int(argv[0])
    streams = "--streams" in argv
    tls = None
    if "--cert" in argv:
        tls = (argv[argv.index("--cert") + 1], argv[argv.index("--key") + 1])
    kw = {}
    if "--max-connections" in argv:
        kw["max_connections"] = int(argv[argv.index("--max-connections") + 1])
    srv = mserver.listen(app, host="127.0.0.1", port=port, tls=tls, streams=streams,
                         idle_timeout=30, **kw, onerror=lambda s, c, o, e: print("error", o, repr(e)))

    async def run():
        await srv.listen()
        print("listening on %d" % srv.localname()[1])
        await srv.loop()

    asyncio.run(run())


if __name__ == "__main__":
    main(sys.argv[1:])
