# A WebSocket chat-ish echo server (asyncio; CPython and MicroPython): every message is
# sent back, upper-cased when it is text.  Over HTTP/1.1 (101) and, with a client that
# speaks it, HTTP/2 (RFC 8441 extended CONNECT, e.g. Chromium over https).
#   python examples/ws_server.py 8000
#   python -m mhttp ws ws://127.0.0.1:8000/chat
import sys
from mhttp import server, websocket
from mhttp.headers import Headers


async def onstream(srv, stream):
    req = await stream.get_headers()
    if req.get(b":path") != b"/chat":
        await stream.write_headers(Headers(((b":status", b"404"), (b"content-length", b"0"))), True)
        return
    try:
        ws = websocket.new_from_stream(stream, req)
    except websocket.HandshakeError as e:
        await websocket.reject(stream, e)        # 400, or 426 for a wrong version
        return
    await ws.accept(protocols=["chat"])          # picks "chat" if the client offers it
    try:
        async for data, opcode in ws:            # until the client closes
            await ws.send(data.upper() if opcode == "text" else data, opcode)
    except websocket.WSError as e:               # the client broke the protocol
        print("closed with", e.close_code, e)
    print("websocket done:", ws.close_code, ws.close_reason)


port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
print("ws://127.0.0.1:%d/chat" % port)
server.listen(onstream, host="127.0.0.1", port=port).run()
