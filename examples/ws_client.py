# A WebSocket client (CPython and MicroPython, no asyncio needed: the blocking face).
#   python examples/ws_client.py ws://127.0.0.1:8000/ws
#   micropython examples/ws_client.py wss://example.com/ws ca.pem     (MicroPython: a CA file)
# Start an echo server with `python -m mhttp serve` (route /ws).
import sys
from mhttp import websocket

url = sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:8000/ws"
cafile = sys.argv[2] if len(sys.argv) > 2 else None
ws = websocket.connect_blocking(url, timeout=10, cafile=cafile)
print("connected; extensions:", ws.extensions, "protocol:", ws.protocol)
ws.send("hello")                       # str -> text message
print(ws.receive(5))                   # ('hello', 'text')
ws.send(b"\x00\x01\x02")               # bytes -> binary message
print(ws.receive(5))                   # (b'\x00\x01\x02', 'binary')
ws.close(1000, "bye")
print("closed:", ws.close_code, ws.close_reason)
