# A tiny HTTP server (CPython or MicroPython):
#   python examples/server.py [PORT]          (CPython, with mhttp installed: pip install -e .)
#   tools/micropython examples/server.py [PORT]
# GET /            -> "hello"
# GET /hello/NAME  -> "hello NAME"
# POST /upload     -> the size of the request body, read chunk by chunk (no buffering)
import asyncio
import sys

from mhttp import server
from mhttp.headers import Headers


async def reply(stream, status, body, ctype=b"text/plain"):
    await stream.write_headers(Headers([(":status", status), ("content-type", ctype),
                                        ("content-length", str(len(body)))]), False)
    await stream.write_chunk(body, True)


async def onstream(srv, stream):
    req = await stream.get_headers()
    method = req.get(":method")
    path = req.get(":path")
    if method == b"GET" and path == b"/":
        await reply(stream, "200", b"hello\n")
    elif method == b"GET" and path.startswith(b"/hello/"):
        await reply(stream, "200", b"hello " + path[7:] + b"\n")
    elif method == b"POST" and path == b"/upload":
        n = 0
        async for chunk in stream.each_chunk():
            n += len(chunk)
        await reply(stream, "200", b"%d bytes\n" % n)
    else:
        await reply(stream, "404", b"not found\n")


async def main(port):
    srv = server.listen(onstream, host="127.0.0.1", port=port, idle_timeout=30,
                        header_timeout=10, body_timeout=30, max_connections=8)
    await srv.listen()
    print("listening on http://%s:%d" % srv.localname())
    await srv.loop()


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8000))
