# The `mhttp serve` app plus routes the server tests need, runnable on both runtimes:
#   .venv/bin/python tests_host/_server_app.py --port P [serve options]
#   tools/micropython tests_host/_server_app.py --port P [serve options]
# Extra routes:
#   /boom       the handler raises (the server must answer 500 and keep serving)
#   /boom-late  the handler raises after sending its head (connection closed)
#   /sleep      answers after 1 s (an in-flight request for graceful close)
#   /shutdown   answers, then starts a graceful server.close()
#   /stats      accepted/requests counters as "accepted=N requests=N refused=N"
#   /upgrade    with "Upgrade: echo": 101, then echoes the raw tunnelled bytes upper-cased
#   CONNECT x   200, then the same raw echo
#   /pause      answers, stops accepting for 1 s (server.pause()), then server.resume()
#   /fields?s=STATUS&NAME=VALUE&...   answers "ab" with the given :status and fields
#               (repeated names repeated), no content-length unless given
import sys

try:
    import _mhttp_port  # noqa: F401
except ImportError:  # CPython from a checkout without the editable install
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [os.path.join(root, "lib"), os.path.join(root, "ports", "cpython")]

import asyncio
from mhttp.headers import Headers
from mhttp import cli_serve


async def _text(stream, status, body):
    await stream.write_headers(Headers(((b":status", status), (b"content-type", b"text/plain"),
                                        (b"content-length", b"%d" % len(body)))), False)
    await stream.write_chunk(body, True)


async def app(server, stream):
    req = await stream.get_headers()
    path = req.get(b":path")
    if req.get(b":method") == b"CONNECT" or (path == b"/upgrade" and req.get(b"upgrade") == b"echo"):
        if path == b"/upgrade":
            h = Headers(((b":status", b"101"), (b"upgrade", b"echo"), (b"connection", b"upgrade")))
        else:
            h = Headers(((b":status", b"200"),))
        await stream.write_headers(h, False)
        while True:
            c = await stream.get_next_chunk()
            if c is None:
                break
            await stream.write_chunk(bytes(c).upper(), False)
        return
    if path == b"/boom":
        raise ValueError("boom (raised on purpose by the test app)")
    if path == b"/boom-late":
        await stream.write_headers(Headers(((b":status", b"200"), (b"content-length", b"10"))), False)
        await stream.write_chunk(b"half", False)
        raise ValueError("boom after the head (raised on purpose)")
    if path == b"/sleep":
        await asyncio.sleep(1)
        await _text(stream, b"200", b"slept\n")
        return
    if path == b"/shutdown":
        await _text(stream, b"200", b"closing\n")
        asyncio.create_task(server.close(5))
        return
    if path == b"/pause":
        await _text(stream, b"200", b"pausing\n")
        server.pause()

        async def later():
            await asyncio.sleep(1)
            await server.resume()
        asyncio.create_task(later())
        return
    if path == b"/stats":
        await _text(stream, b"200", b"accepted=%d requests=%d refused=%d" % (
            server.accepted, server.requests, server.refused))
        return
    if path.startswith(b"/fields?"):
        h = [(b":status", b"200")]
        for kv in path[8:].split(b"&"):
            k, v = kv.split(b"=")
            if k == b"s":
                h[0] = (b":status", v)
            else:
                h.append((k, v))
        await stream.write_headers(Headers(h), False)
        await stream.write_chunk(b"ab", True)
        return
    await cli_serve.handler(server, stream)


def onerror(server, ctx, op, exc):
    print("onerror %s %r" % (op, exc))


if __name__ == "__main__":
    argv = sys.argv[1:]
    o = cli_serve.parse_args(argv)

    async def run():
        srv = cli_serve.make_server(o, app)
        srv.onerror = onerror
        await srv.listen()
        name = srv.localname()
        print("listening on %s://%s:%d" % ("https" if o["cert"] else "http", name[0], name[1]))
        await srv.loop()
        print("server closed")

    asyncio.run(run())
