# mhttp: one HTTP stack (HTTP/1.1, HTTP/2, WebSocket; client and server) for CPython,
# MicroPython and CircuitPython.  Importing the package imports nothing else: every
# capability lives in its own module (mhttp.request, mhttp.server, mhttp.websocket,
# mhttp.hpack, mhttp.headers, ...) so that a board only pays for what it uses.
__version__ = "0.1.0"
