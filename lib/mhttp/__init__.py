# mhttp: one HTTP stack (HTTP/1.1, HTTP/2, WebSocket; client and server) for CPython,
# MicroPython and CircuitPython.  Importing the package imports nothing else: every
# capability lives in its own module (mhttp.request, mhttp.server, mhttp.websocket,
# mhttp.hpack, mhttp.headers, ...) so that a board only pays for what it uses.
__version__ = "0.1.0"
# Board RAM: MicroPython's __file__ of the package goes (a board's program never reads
# it), so that the package's dict, which also takes an entry per submodule loaded,
# holds the h1 client's nine (__name__, __path__, __version__ and them: 12) in a table
# of 224 B, not 320.  CPython keeps it.  (MicroPython reuses a deleted entry's slot; by
# pop: a build without __file__, frozen modules, has none to delete.)
if not hasattr(b"", "translate"):
    globals().pop("__file__", None)
