# Our WebSocket client on either runtime (the MicroPython tests run it with
# tools/micropython):  _ws_mp_client.py URL MODE [CAFILE]
#   MODE async | blocking.  Sends text and binary messages of several sizes (and one
#   fragmented message), checks each echo, closes with 4000 "mp bye", prints one line per
#   check ("ok text 126") and at the end "closed CODE" and "extensions ...".
import sys
from mhttp import websocket

SIZES = (0, 125, 126, 4096, 20000)


def payload(n, text):
    if text:
        return ("abc\u00e9" * (n // 5 + 1))[:n]
    return bytes([(i * 7) & 255 for i in range(n)])


async def main(url, blocking, cafile):
    kw = {}
    if cafile:
        kw["cafile"] = cafile
    ws = websocket.new_from_uri(url, blocking=blocking, **kw)
    r = ws.connect(10)
    if not blocking:
        await r
    print("extensions", ws.extensions)
    # the response head stays readable (on MicroPython connect() copies its fields)
    h = ws.headers
    print("head", h.get(":status"), h.get("upgrade").lower(), len(h.get("sec-websocket-accept")),
          len(h))

    async def call(x):
        return x if blocking else await x
    for n in SIZES:
        for text in (True, False):
            m = payload(n, text)
            await call(ws.send(m))
            got = await call(ws.receive(10))
            assert got == (m, "text" if text else "binary"), (n, text, got and len(got[0]))
            print("ok", "text" if text else "binary", n)
    await call(ws.send("frag", "text", None, False))
    await call(ws.send("mented", "text", None, True))
    got = await call(ws.receive(10))
    assert got == ("fragmented", "text"), got
    print("ok fragmented")
    await call(ws.close(4000, "mp bye"))
    print("closed", ws.close_code)


args = sys.argv[1:]
blocking = args[1] == "blocking"
coro = main(args[0], blocking, args[2] if len(args) > 2 else None)
if blocking:
    from mhttp._io import run_blocking
    run_blocking(coro)
else:
    import asyncio
    asyncio.run(coro)
