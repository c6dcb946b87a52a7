# HTTP/2 client (CPython or MicroPython): several requests multiplexed over ONE connection.
#   python examples/h2_client.py http://127.0.0.1:8000/        (h2c, prior knowledge)
#   python examples/h2_client.py https://nghttp2.org/          (CPython: h2 by ALPN)
#   tools/micropython examples/h2_client.py http://127.0.0.1:8000/
# Start a server with `python -m mhttp serve` (it speaks HTTP/1.1, h2c and h2).
import asyncio
import sys

from mhttp import request


async def fetch(url):
    req = request.new_from_uri(url)
    if url.startswith("http://"):
        req.version = 2            # h2c by prior knowledge (set h2c_upgrade for Upgrade)
    headers, stream = await req.go(10)
    body = await stream.get_body_as_string(10)
    return stream.connection, headers.get(b":status"), len(body)


async def main(url):
    # the first request opens the connection; the others share it (the pool keys
    # HTTP/2 connections by origin and hands the same one out while it has room)
    conn, status, n = await fetch(url)
    print("HTTP/%s %s, %d bytes" % (conn.version, status.decode(), n))
    results = await asyncio.gather(*[fetch(url) for _ in range(5)])
    for c, status, n in results:
        print("HTTP/%s %s, %d bytes, same connection: %s" % (c.version, status.decode(), n,
                                                              c is conn))
    request.POOL.close_all()


asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/"))
