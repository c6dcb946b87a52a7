# Peer: aiohttp.web answering GET / with "Hello, World!" (13 bytes), keep-alive.
#   .venv/bin/python tools/bench/peers/aiohttp_server.py PORT
import sys

from aiohttp import web


async def hello(request):
    return web.Response(body=b"Hello, World!", content_type="text/plain")


app = web.Application()
app.router.add_get("/", hello)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
