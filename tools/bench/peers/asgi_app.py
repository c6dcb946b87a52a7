# Peer: a plain ASGI app answering every request with "Hello, World!" (13 bytes), for
# uvicorn (--http h11 / --http httptools) and hypercorn (HTTP/1.1 and h2c):
#   .venv/bin/python -m uvicorn --app-dir tools/bench/peers --port P --http h11 asgi_app:app
#   .venv/bin/python -m hypercorn --bind 127.0.0.1:P tools/bench/peers/asgi_app.py:app
BODY = b"Hello, World!"
HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"13")]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            m = await receive()
            if m["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif m["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
