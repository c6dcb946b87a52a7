# tests_host/_server_app.py plus what the adversarial tests (test_h1_adversarial.py) need,
# runnable on both runtimes:
#   /conns        "conns=N pending=N refused=N": connections the server holds (this one
#                 included), connections still being sniffed, refused past max_connections
#   /big?N        a content-length response of N bytes written in 16 KiB pieces (for a
#                 client that never reads)
#   CONNECT framed.example:P   200 with the framing fields a handler might set
#                 (content-length: 5) and "hello", then the raw upper-casing echo
# Extra options: --write-timeout S (per write), --body-deadline S (whole request body);
# the serve CLI has no flag for them.
import sys

import _server_app
import asyncio
from mhttp.headers import Headers
from mhttp import cli_serve

_PIECE = b"x" * 16384


async def app(server, stream):
    req = await stream.get_headers()
    path = req.get(b":path") or b""
    if path == b"/conns":
        body = b"conns=%d pending=%d refused=%d" % (len(server.conns),
                                                    getattr(server, "pending", 0), server.refused)
        await _server_app._text(stream, b"200", body)
        return
    if path.startswith(b"/big?"):
        n = int(path[5:])
        await stream.write_headers(Headers(((b":status", b"200"),
                                            (b"content-length", b"%d" % n))), False)
        while n > 0:
            k = min(n, len(_PIECE))
            n -= k
            await stream.write_chunk(_PIECE[:k], n == 0)
        return
    if req.get(b":method") == b"CONNECT" and \
            (req.get(b":authority") or b"").startswith(b"framed.example:"):
        await stream.write_headers(Headers(((b":status", b"200"), (b"content-length", b"5"))),
                                   False)
        await stream.write_chunk(b"hello", False)
        while True:
            c = await stream.get_next_chunk()
            if c is None:
                break
            await stream.write_chunk(bytes(c).upper(), False)
        return
    await _server_app.app(server, stream)


if __name__ == "__main__":
    argv = sys.argv[1:]
    wt = None
    if "--write-timeout" in argv:
        i = argv.index("--write-timeout")
        wt = float(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    bd = None
    if "--body-deadline" in argv:
        i = argv.index("--body-deadline")
        bd = float(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    o = cli_serve.parse_args(argv)

    async def run():
        srv = cli_serve.make_server(o, app)
        srv.onerror = _server_app.onerror
        if wt is not None:
            srv.write_timeout = wt
        if bd is not None:
            srv.body_deadline = bd
        await srv.listen()
        name = srv.localname()
        print("listening on http://%s:%d" % (name[0], name[1]))
        await srv.loop()

    asyncio.run(run())
