# mhttp._server_h2: mhttp.server.Server's HTTP/2 methods (mhttp._lazy.bind loads them at
# the first connection of a server with http2=True; an HTTP/1-only server never does):
# the choice of protocol for an accepted connection (ALPN "h2", or the client connection
# preface sniffed from the first bytes: prior knowledge, RFC 9113 §3.3), serving an
# HTTP/2 connection, and the server side of `Upgrade: h2c` (RFC 7540 §3.2).
# (mhttp.errors is looked up where an error is handled: a clean h2c server exchange never
# loads it; while it is not loaded, no error of ours can have been raised)

_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# Server.pending's default (bound on first use: mhttp.server sets it on a server with
# HTTP/2 only, the one that changes it, _choose below)
pending = 0


def _new_h2(self, io, data, upgrade=None):
    # Board RAM: a collection before the first HTTP/2 connection loads the h2 modules
    # (~22 KB from ROMFS), so they and the connection fill the holes the accept left
    # rather than split the free space later requests need (h2c server, 64-bit unix:
    # 147 -> 133 KiB from .mpy files, 80 -> 79 KiB from ROMFS).  Once per process.
    import sys
    if "mhttp.h2_connection" not in sys.modules:
        import gc
        gc.collect()
    from mhttp.h2_connection import H2Connection
    c = H2Connection(io, True, settings=self.h2_settings, idle_timeout=self.idle_timeout,
                     write_timeout=self.write_timeout, upgrade=upgrade,
                     initial_data=data, **self.h2opts)
    # A request stream's reads (get_headers, get_next_chunk without a timeout) wait at
    # most body_timeout, as HTTP/1.1's do: a stream opened and left silent gets 408, or
    # RST_STREAM once answered (mhttp._h2_server._failed), not a handler held for good;
    # so does the rest of a header block begun (H2Connection._read_loop: GOAWAY).  Set
    # here, not as the constructor's timeout (which would also become idle_timeout and
    # write_timeout when those are None).  Board RAM: the 17th entry of a server
    # connection's dict, still in its 17-slot table (64-bit unix port: 288 bytes).
    if self.body_timeout is not None:
        c.timeout = self.body_timeout
    return c


async def _choose(self, io):
    # HTTP/2 by ALPN or by the client connection preface in the first bytes (prior
    # knowledge); anything else is HTTP/1.x (fed what was read).  None: nothing came.
    # The connection counts as pending while its first bytes are awaited: a flood of
    # silent connections is refused past max_connections, not held until idle_timeout.
    # (ALPN only with TLS: on a cleartext connection io.alpn() is None anyway, and asking
    # loads mhttp._io_stream_rare: 0.9 KiB ROMFS / 1.7 KiB as .mpy files on a board)
    if self.tls is not None and io.alpn() == b"h2":
        return self._new_h2(io, None)
    self.pending += 1
    try:
        data = await io.recv(self.idle_timeout)
        if data:
            data = bytes(data)
        while data and len(data) < 24 and _PREFACE.startswith(data):
            more = await io.recv(self.header_timeout)
            if not more:
                break
            data = data + bytes(more)
    except Exception as e:
        import sys
        m = sys.modules.get("mhttp.errors")
        if m is None or not isinstance(e, (m.Timeout, m.ConnectionClosed)):
            raise
        return None
    finally:
        self.pending -= 1
    if not data:
        return None
    if data[:16] == _PREFACE[:16] or _PREFACE.startswith(data):
        # "PRI * HTTP/2.0\r\n" is HTTP/2: the core checks the rest of the preface
        # (and answers a wrong one with GOAWAY PROTOCOL_ERROR)
        return self._new_h2(io, data)
    c = self._new_connection(io)
    c.p.receive_data(data)
    return c


def _serve_h2(self, conn, ended=0):
    # The coroutine serving an HTTP/2 connection (a plain function: no frame of its own
    # for as long as the connection lives).
    # (from mhttp._h2_server itself: mhttp.h2_connection's __getattr__ would load
    # mhttp._h2_conn_rare to find it)
    # ended=1, called once that coroutine has returned: a connection the core ended with
    # our GOAWAY(INTERNAL_ERROR) (a MemoryError, a bug of ours) is reported through
    # onerror ("h2 connection").  (Here, not in mhttp.server: an HTTP/1.1 server's
    # modules carry none of it, board RAM.)
    if ended:
        if getattr(conn.error, "code", 0) == 2 and conn.goaway is None:
            self._report(conn, "h2 connection", conn.error)
        return None
    from mhttp._h2_server import serve_connection
    return serve_connection(self, self.onstream, conn)


def _h2c_upgrade(self, conn, stream):
    # Server side of `Upgrade: h2c` (the coroutine of mhttp._h2_conn_rare._h2c_upgrade:
    # board RAM, a prior-knowledge or TLS server never loads its ~0.5 KB of bytecode).
    from mhttp._h2_conn_rare import _h2c_upgrade
    return _h2c_upgrade(self, conn, stream)
