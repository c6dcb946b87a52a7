# heapmin scenario: a WebSocket client on MicroPython (blocking face, modules as .mpy)
# that sends and receives N messages of SIZE bytes against an echo server.
#   .venv/bin/python -m mhttp serve --port 8000 &        # any echo server on /ws
#   .venv/bin/python tools/heapmin.py tools/bench/heap_ws_client.py -- ws://127.0.0.1:8000/ws
#   args: URL [N=1000] [SIZE=1024] [nocomp]
import sys
import gc

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

from mhttp import websocket
# what a connected WebSocket keeps, imported up front so that the "modules" checkpoint
# separates code (in RAM when loaded from .mpy; in flash from ROMFS or frozen) from the
# connection's own data.  Not mhttp.client nor mhttp.h1_connection: a plain ws://
# handshake no longer loads the HTTP/1.1 client (mhttp._ws_open), and connect() drops
# the modules it did load for it on MicroPython; imported here, they would stay (a
# program's own imports are kept): 87/59 KiB (fs/ROMFS) with them, 69/50 without.
import mhttp.ws, mhttp.blocking, _mhttp_port  # noqa
import socket  # noqa
checkpoint("modules")

args = sys.argv[1:]
url = args[0]
n = int(args[1]) if len(args) > 1 else 1000
size = int(args[2]) if len(args) > 2 else 1024
comp = "nocomp" not in args
ws = websocket.new_from_uri(url, blocking=True, compression=comp, max_message_size=4096,
                            bufsize=1536)
ws.connect(10)
checkpoint("connected")
# the message: bytes 0, 1, ..., 255, 0, 1, ... (built without a list of `size` ints, which
# would need 8 bytes per item on a 64-bit heap for a moment)
msg = bytearray(size)
for i in range(size):
    msg[i] = i & 255
msg = bytes(msg)
for i in range(n):
    ws.send(msg)
    r = ws.receive(10)
    if r is None or r[0] != msg:
        print("bad echo at", i)
        sys.exit(1)
    if i == 0 or i == n - 1:
        checkpoint("after %s messages" % ("1" if i == 0 else "all"))
ws.close()
gc.collect()
print("ok", n, "messages of", size, "bytes; extensions", ws.extensions)
