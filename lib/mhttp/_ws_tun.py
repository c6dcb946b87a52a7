# mhttp._ws_tun: a client WebSocket's transport after an HTTP/1.1 upgrade (101): the
# tunnel straight over the connection's I/O object, in place of the H1Connection and its
# H1Stream (mhttp._ws_open.connect hands over once the 101 is checked).  After a 101
# HTTP/1.1 has nothing more to say on the connection: its bytes are the WebSocket's, both
# ways, until TCP ends.  So a connected WebSocket keeps no HTTP/1.1 object (connection,
# parser, stream, request), and on MicroPython the modules only the handshake needed
# (mhttp.client, h1, h1_connection, ...) are dropped from sys.modules (board RAM: their
# objects, and from .mpy files their bytecode, are then freed; mhttp._ws_open.unload).
#
# A Tunnel is both ws.stream and ws.connection: the stream's get_next_chunk /
# write_chunk / headers (on MicroPython made on first use from the compact head
# mhttp.websocket.connect keeps, _head) / connection, and the connection's io, abort, closed, type,
# is_server, version; the rest of H1Connection's (close, connect, checktls, localname,
# peername, alpn, shutdown) through __getattr__ (rare: mhttp._ws_more.tunnel_attr,
# which binds mhttp._h1c_rare's, H1Connection's own, on first use).
# Same results and errors as H1Stream's tunnel reading (mhttp._h1c_stream._tunnel):
# the bytes the parser held after the 101 head first, then each read's bytes (copied:
# an I/O object may hand out a view of its reusable buffer), None from EOF on (a reset
# connection, ConnectionClosed, reads as EOF, as there).
from mhttp.ws import _is


class Tunnel:
    type = "client"     # (H1Connection's)
    is_server = False
    closed = False
    # True (set by mhttp._ws_start for the blocking face on MicroPython): get_next_chunk
    # hands out each read as the I/O object gives it, a view of its buffer valid until
    # the next read or write, for mhttp.websocket's receive(), which parses it there
    # (mhttp.ws copies the rest of a read after each frame, before a message is
    # inflated into that buffer; receive() an incomplete frame before it returns):
    # board RAM, no copy of every read
    raw = False

    def __init__(self, io, headers, data, end, send):
        # data: the bytes read past the 101 head (None: none), end: the peer had
        # already ended its side, send: the I/O object's send_nowait (or None)
        self.io = io
        self.headers = headers
        self.connection = self
        self.send = send
        self.data = data
        self.end = end

    def __getattr__(self, name):
        if name == "version":
            # (here: every close asks, mhttp._ws_close; computed, a float constant is
            # heap on a board)
            return 11 / 10
        if name == "headers":
            # The response head, made on first use from the compact form that
            # mhttp.websocket.connect keeps on MicroPython (self._head: per field 6
            # bytes, name length << 25 | value length << 1 | never_index, then the name
            # and the value; board RAM), which is then dropped (set to None: a
            # MicroPython del would leave it in the attribute table's slot).  Here, not
            # in mhttp._ws_more: reading ws.headers loads no more than mhttp.headers.
            from mhttp.headers import Headers
            b = self._head
            f = []
            i = 0
            while i < len(b):
                x = int.from_bytes(b[i:i + 6], "big")
                i += 6
                n = i + (x >> 25)
                e = n + (x >> 1 & 0xFFFFFF)
                f.append((b[i:n], b[n:e], bool(x & 1)))
                i = e
            h = self.headers = Headers._trusted(f)
            self._head = None
            return h
        # (mhttp._ws_more.tunnel_attr, by strs: no name interned for it on the plain path)
        m, f = "mhttp._ws_more tunnel_attr".split()
        return getattr(__import__(m, None, None, (f,)), f)(self, name)

    async def get_next_chunk(self, timeout=None):
        # The next tunnelled bytes, or None once the peer has ended.
        data = self.data
        if data is not None:
            self.data = None
            return data
        if self.end:
            return None
        try:
            data = await self.io.recv(timeout)
        except Exception as e:      # ConnectionClosed (board RAM: mhttp.ws._is)
            if not _is(e, "ConnectionClosed"):
                raise
            data = None
        if not data:
            self.end = True
            return None
        return data if type(data) is bytes or self.raw else bytes(data)

    async def write_chunk(self, data, end_stream=False, timeout=None):
        # (end_stream means nothing in a tunnel: as H1Stream's, the bytes go as they are)
        if isinstance(data, str):
            data = data.encode()
        if data:
            data = [data]
            f = self.send
            if f is None or not f(data):
                await self.io.send(data, timeout)

    def abort(self):
        self.closed = True
        self.io.abort()
