# mhttp._server_setup: what only a server's set-up runs: the body of Server.listen
# (mhttp.server) and of the accept loop's start_server (mhttp.server's, which
# listen() awaits on MicroPython).  Loaded by listen() and, on a board, dropped from
# sys.modules (and the package) once it is done (board RAM: from a .mpy file the
# bytecode of every function loaded sits on the heap for as long as its module is
# loaded, ~0.6 KB here, and nothing runs it again; the names it interned stay).  A later
# listen() (resume()) imports it again.
import asyncio

import _mhttp_port


def _unload():
    # (MicroPython only: on CPython, RAM is plentiful and a module import is slow)
    if _mhttp_port.NAME != "cpython":
        import sys
        import mhttp
        sys.modules.pop("mhttp._server_setup", None)
        try:
            delattr(mhttp, "_server_setup")
        except (AttributeError, KeyError):
            pass


async def listen(self):
    # Every server speaks HTTP/1: load its driver now, on an unfragmented heap, rather
    # than at the first connection (on a board, compiling h1 next to live connection
    # buffers can fail for want of one contiguous block).  preload_h1=False leaves
    # that heap to an HTTP/2 server on a small board (the h1 driver then loads at
    # the first HTTP/1 request, if one comes).
    # (the whole body in try: this module leaves the heap however listen() ends)
    try:
        if self._closing:
            return self     # (closed: a closed server stays closed, see below)
        if self.preload_h1:
            import mhttp.h1_connection  # noqa: F401
            # (the server half of both, mhttp.h1's and mhttp.h1_connection's: every
            # request runs it)
            import mhttp._h1_server  # noqa: F401
        kw = {}
        if _mhttp_port.NAME == "cpython":
            if self.streams:
                kw["streams"] = True
            if self.tls is not None and self.header_timeout:
                # asyncio runs the TLS handshake before the server sees the connection:
                # bounded by header_timeout, as the request head it precedes (asyncio's
                # default is 60 s: a flood of silent connections held that long).
                # (MicroPython: the handshake runs in the connection's first read, under
                # the Reaper's header_timeout and max_connections already.)  ("timeout":
                # a name MicroPython has interned already, board RAM.)
                kw["timeout"] = self.header_timeout
        # While it binds, _serve is m, a list of its own (pause() appends to it,
        # resume() empties it): close(), pause(), resume(), loop() and another listen()
        # see a bind under way, and whichever of close() and pause() comes meanwhile
        # wins: what was bound is closed at once, the reaper not started (close() waits
        # for it, see mhttp._server_more._close_busy).  (A list, not a field: board RAM.)
        m = self._serve = []
        try:
            s = await _mhttp_port.start_server(self._on_connection, self.host, self.port,
                                               self.tls, self.backlog, self.reaper,
                                               self.bufsize, **kw)
        except BaseException as e:
            if self._serve is m:
                self._serve = None
            raise e
        if self._serve is m and not m and not self._closing:
            self._serve = s
            self.reaper.start()
            return self
        s.close()
        if self._serve is m:
            # close(): it waits for s to be closed; pause(): not listening
            self._serve = s if self._closing else None
            if s.sockname:
                self.port = s.sockname[1]   # (as pause(): resume() binds the same port)
        return self
    finally:
        _unload()


async def start_server(cb, host, port, tls, backlog, reaper, bufsize):
    # mhttp.server.start_server's body (see there).
    from mhttp.server import Stream
    import socket
    ai = socket.getaddrinfo(host, port)[0]
    s = socket.socket(ai[0])     # the address family of the host (IPv6 for "::1")
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(ai[-1])
    s.listen(backlog)
    if not bufsize:
        import _mhttp_port
        bufsize = _mhttp_port.DEFAULT_BUFSIZE
    srv = Stream.Server()
    # The server's settings (buf, reaper, cb: see Stream) are class attributes of the
    # class of its connections: Stream itself, unless another server holds it (one whose
    # Reaper runs or still watches connections: listening, paused, or closing; a server
    # without a Reaper never takes it) or the server speaks TLS, then a class of its own,
    # named as its base (no new interned name).  Board RAM: a class is ~290 B, the common
    # single cleartext server makes none.  The same server again (resume()) takes Stream
    # back: its connections from before pause() see the new buffer (scratch, see Stream)
    # and callback (the same server's).  Server.close() gives Stream back once none of
    # its connections is left.
    k = Stream
    r = k.reaper
    if tls:
        # (TLS only: its abort, which closes the socket mbedTLS wraps too, and its
        # readinto, which answers a plain-HTTP request with a 400: mhttp._server_tls.
        # An import statement: one interned name, ~10 B on every server; the module named
        # by a str was two constants this module's constant table kept alive, 96 B)
        from mhttp import _server_tls
        k = type("Stream", (Stream,), {"abort": _server_tls.abort,
                                       "readinto": _server_tls.readinto})
    elif reaper is None or (r is not None and r is not reaper and
                            (r.task is not None or r.ios)):
        k = type("Stream", (Stream,), {})
    else:
        # (started now, not by listen(): a second server's start_server, while this one
        # awaits below, sees Stream held)
        reaper.start()
    k.buf = memoryview(bytearray(bufsize))
    k.reaper = reaper
    k.cb = cb
    srv.task = asyncio.create_task(Stream._serve(srv, s, k, tls, reaper))
    try:
        # (as asyncio: the task gets to run before we return, so that it handles its
        # cancellation)
        await asyncio.sleep_ms(0)
    except asyncio.CancelledError as e:
        srv.task.cancel()
        raise e
    # MicroPython sockets have no getsockname(): the port we asked for is the port we
    # got (port 0 is not supported here: pick a free port before starting).
    srv.sockname = (host, port)
    return srv
