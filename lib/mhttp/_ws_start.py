# mhttp._ws_start: WebSocket.connect's code (a client connects once), out of
# mhttp.websocket: the opening handshake (mhttp._ws_open), then the connection's set-up
# (the tunnel, the WebSocket's core).  On MicroPython mhttp._ws_open.unload drops this
# module from sys.modules with the handshake's, and its code is freed once connect()
# returns (board RAM: ws client, 1000 x 1 KiB, a connected client from .mpy files keeps
# ~0.9 KB less of bytecode).  The handshake's modules are dropped and collected before
# the set-up below runs: their references are cleared first (a function object keeps
# its module's globals, and so every function of its module, alive).
from mhttp.ws import MICROPYTHON, PerMessageDeflate


async def start(self, timeout):
    # WebSocket.connect(timeout) (self: the WebSocket): the handshake
    # (mhttp._ws_open.connect), then the connection's set-up.
    if MICROPYTHON:
        # Board RAM (the GC never moves objects): a collection first, so that the
        # connection's long-lived objects (socket, buffers, parser, stream) fill the
        # holes the program's earlier garbage left low in the heap instead of
        # splitting the free space above, where each message needs its 1-1.3 KiB
        # blocks (ws client, 1000 x 1 KiB, with the collection in new_from_uri:
        # 104 -> 101 KiB .mpy files, 70 -> 67-68 KiB ROMFS).
        import gc
        gc.collect()
    from mhttp._ws_open import connect as hs, unload, loaded
    # (the HTTP/1.1 client's modules loaded before: the blocking face only, where no
    # other code runs during the handshake; see mhttp._ws_open.unload)
    keep = loaded() if MICROPYTHON and self.blocking else None
    # (mhttp.headers, when the handshake loads it: dropped below after a 101 on the
    # blocking face, as the HTTP/1.1 client's modules are)
    hk = False
    if keep is not None:
        import sys
        hk = "mhttp.headers" not in sys.modules
    try:
        stream, exts = await hs(self, timeout)
    finally:
        hs = None
        if MICROPYTHON:
            # Board RAM: the setting-up code (mhttp._ws_open, _ws_hs) is not needed
            # again, whether the handshake succeeded or failed: dropped, it is freed
            # by the next collection (below after a success; ws client, 1000 x
            # 1 KiB: 110 -> 108 KiB .mpy files, 75 -> 71 KiB ROMFS); so are the
            # HTTP/1.1 client's modules the handshake loaded (after a 101 the
            # WebSocket reads and writes through mhttp._ws_tun, which holds none of
            # their objects).
            unload(keep)
        unload = loaded = keep = None
    if MICROPYTHON:
        # Board RAM (the GC never moves objects): the response's fields and the
        # negotiated extension list live as long as the connection but were made
        # among the handshake's temporaries, at the top of the heap.  Kept after a
        # collection, they land in low holes; the originals, freed, leave the top
        # to the 1-1.3 KiB blocks each message needs (ws client, 1000 x 1 KiB:
        # 116 -> 115 KiB .mpy files, 79 -> 75 KiB ROMFS).  One collection per
        # connection.
        import gc
        gc.collect()
    if type(stream) is tuple:
        # The plain HTTP/1.1 handshake's (mhttp._ws_open.connect: the I/O object and
        # the bytes read past the 101 head): the tunnel straight over the I/O object
        # (mhttp._ws_tun), made here, once the handshake's modules are dropped and
        # collected (board RAM: mhttp._ws_tun loads after them, not at the
        # handshake's peak).
        from mhttp._ws_tun import Tunnel
        stream = self.connection = Tunnel(stream[0], self.headers, stream[1], False,
                                          getattr(stream[0], "send_nowait", None))
    if MICROPYTHON:
        resp = self.headers
        if getattr(stream, "connection", None) is stream:
            # HTTP/1.1 (mhttp._ws_tun.Tunnel, its own connection): the head kept as
            # one bytes object, each field its lengths (6 bytes: name << 25 | value
            # << 1 | never_index) then its name and value; ws.headers and
            # ws.stream.headers are made from it on first use (mhttp._ws_tun).
            # Board RAM: ~250 bytes in one block instead of ~1.5 KB in 22 (a tuple
            # and two bytes objects per field), and mhttp.headers, its class and
            # functions, is dropped with the handshake when the handshake loaded it
            # (the blocking face).
            fl = []
            for f in resp if type(resp) is list else resp._l:
                fl.append((len(f[0]) << 25 | len(f[1]) << 1 | (1 if f[2] else 0))
                          .to_bytes(6, "big"))
                fl.append(f[0])
                fl.append(f[1])
            stream._head = b"".join(fl)
            # (None first: MicroPython's del leaves the value in the map's slot,
            # where the GC still finds it)
            stream.headers = self.headers = None
            del stream.headers
            del self.headers
            # (not while mhttp._h1_client stays, with a program's mhttp.h1: loaded
            # by the handshake, it holds the Headers class it imported)
            import sys
            if hk and "mhttp._h1_client" not in sys.modules:
                import mhttp
                sys.modules.pop("mhttp.headers", None)
                try:
                    delattr(mhttp, "headers")
                except (AttributeError, KeyError):
                    pass
        else:
            fl = resp._l
            cp = [None] * len(fl)
            for i in range(len(fl)):
                f = fl[i]
                # (the name too: the plain handshake's names are its own, and
                # mhttp.h1, whose shared name cache would keep them, is unloaded with
                # the handshake unless the program imported it; ws client, 1000 x
                # 1 KiB, two A/B pairs: 70 -> 69 KiB .mpy files, 51 -> 50 KiB ROMFS)
                cp[i] = (f[0][:], f[1][:], f[2])
            # the Headers object itself too (its instance dict was at the top of
            # the heap)
            cp = type(resp)(None, cp)
            if getattr(stream, "headers", None) is resp:
                stream.headers = cp
            self.headers = cp
        # the negotiated PerMessageDeflate too (its instance dict was at the top of
        # the heap)
        fl = []
        for f in exts:
            if isinstance(f, PerMessageDeflate):
                e = PerMessageDeflate(f.server_no_context_takeover,
                                      f.client_no_context_takeover,
                                      f.server_max_window_bits, f.client_max_window_bits,
                                      f.level, f.min_size)
                e.negotiated = f.negotiated
                f = e
            fl.append(f)
        exts = fl
        fl = f = e = cp = resp = None
    self._open(stream, exts, True)
    if MICROPYTHON and self.blocking and stream is self.connection:
        # The blocking face over HTTP/1.1 (mhttp._ws_tun.Tunnel): receive() parses each
        # read in the I/O object's buffer, the tunnel's view of it (Tunnel.raw), what
        # follows a frame or an incomplete one copied before that buffer is written
        # again (board RAM: no copy of every read, ws client 1000 x 1 KiB from ROMFS
        # 40.5 -> 40 KiB); so the inflater
        # reads a message into that buffer, idle meanwhile (mhttp.ws._Inflater.buf;
        # board RAM: no output pieces nor their join per message)
        stream.raw = True
        i = self.p._inflater
        if i is not None:
            i.buf = getattr(stream.io, "buf", None)
