# HTTP/2 server (CPython or MicroPython): the same handler serves HTTP/1.1, h2c (prior
# knowledge and Upgrade: h2c) and, with a certificate on CPython, h2 over TLS (ALPN).
#   python examples/h2_server.py [PORT] [CERT KEY]
#   tools/micropython examples/h2_server.py [PORT]
#   curl --http2-prior-knowledge http://127.0.0.1:8000/
#   nghttp -v http://127.0.0.1:8000/push           (server push)
# GET /       -> which protocol served you
# GET /push   -> a page, with /style.css pushed alongside (if the client allows push)
# POST /sum   -> byte count of the request body, read chunk by chunk (flow-controlled)
import asyncio
import sys

from mhttp import server
from mhttp.errors import ProtocolError
from mhttp.headers import Headers


async def reply(stream, body, ctype=b"text/plain", status=b"200"):
    await stream.write_headers(Headers([(b":status", status), (b"content-type", ctype),
                                        (b"content-length", b"%d" % len(body))]), False)
    await stream.write_chunk(body, True)


async def onstream(srv, stream):
    req = await stream.get_headers()
    path = req.get(b":path")
    version = stream.connection.version
    if path == b"/push" and version == 2:
        try:
            css = await stream.push_promise(Headers([(b":method", b"GET"), (b":path", b"/style.css")]))
        except ProtocolError:
            css = None                      # the client disabled push
        await reply(stream, b"<link rel=stylesheet href=/style.css><p>pushed</p>", b"text/html")
        if css is not None:
            await reply(css, b"p { color: green }", b"text/css")
    elif path == b"/sum":
        n = 0
        async for chunk in stream.each_chunk():
            n += len(chunk)
        await reply(stream, b"%d bytes\n" % n)
    else:
        await reply(stream, b"hello over HTTP/%s\n" % str(version).encode())


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    tls = (sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else None
    srv = server.listen(onstream, host="127.0.0.1", port=port, tls=tls)

    async def run():
        await srv.listen()
        print("listening on %s://127.0.0.1:%d" % ("https" if tls else "http", port))
        await srv.loop()

    asyncio.run(run())


main()
