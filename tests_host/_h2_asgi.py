# ASGI app for hypercorn in tests_host/test_h2_client.py:
#   /big?n=N   N bytes of b"0123456789"...      /trailers   "body" + trailer x-trail: yes
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    path = scope["path"]
    qs = scope.get("query_string", b"")
    if path == "/trailers":
        await send({"type": "http.response.start", "status": 200, "trailers": True,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"body", "more_body": False})
        await send({"type": "http.response.trailers", "headers": [(b"x-trail", b"yes")],
                    "more_trailers": False})
        return
    n = int(qs[2:]) if qs.startswith(b"n=") else 13
    body = (b"0123456789" * (n // 10 + 1))[:n]
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"%d" % n)]})
    await send({"type": "http.response.body", "body": body})
