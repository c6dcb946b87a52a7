# mhttp._h1c_rare: H1Connection's rarely used methods, error_response and the body of
# mhttp.h1_connection's module __getattr__ (_modattr), loaded on first use
# (mhttp._lazy.bind; `from mhttp.h1_connection import error_response` works through
# that module's __getattr__).  A plain HTTP/1 server or client never loads this module.
from mhttp.errors import ConnectionClosed, Error


def _modattr(name):
    # mhttp.h1_connection's module __getattr__: error_response (here), http_date,
    # MAX_DRAIN, MIN_CLOCK_YEAR and SERVER_NAME (mhttp._h1_server), CLIENT, SERVER and
    # the EV_* kinds (mhttp.h1's), ConnectionClosed and Error (mhttp.errors'), and
    # __all__.
    if name == "__all__":     # `from ... import *` (mhttp._star)
        import mhttp.h1_connection as hc
        from mhttp._star import names
        return names(hc.__dict__, "CLIENT SERVER EV_HEADERS EV_DATA EV_TRAILERS EV_CLOSED "
                                  "SERVER_NAME ConnectionClosed Error")
    if name == "error_response":
        return error_response
    if name in "http_date MAX_DRAIN MIN_CLOCK_YEAR SERVER_NAME".split():
        import mhttp._h1_server as m
    elif name in "CLIENT SERVER EV_HEADERS EV_DATA EV_TRAILERS EV_CLOSED".split():
        import mhttp.h1 as m
    elif name == "ConnectionClosed" or name == "Error":
        import mhttp.errors as m    # (imported by this module before its errors moved)
    else:
        raise AttributeError(name)
    return getattr(m, name)


# H1Connection's class defaults a server's __init__ sets on every server connection
# (bound on first use, by a client that reads them).
requests = 0         # server: requests read on this connection
idle = False         # server: waiting for the next request
# lua-http's connection.type (a property: a connection made with H1Connection(io,
# SERVER) has is_server set, and the class's value must not say "client" for it)
type = property(lambda self: "server" if self.is_server else "client")


def error_response(status, body=None):
    # The bytes of a minimal `Connection: close` response (used when the core is dead).
    from mhttp._reasons import reason
    from mhttp._h1_server import http_date, SERVER_NAME   # here: a client closing
    # must not load it
    if body is None:
        body = b"%d %s\n" % (status, reason(status))
    d = http_date()
    return b"HTTP/1.1 %d %s\r\n%sserver: %s\r\ncontent-type: text/plain\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s" % (
        status, reason(status), b"date: " + d + b"\r\n" if d else b"", SERVER_NAME, len(body),
        body)


async def connect(self, timeout=None):
    # The I/O object is connected when it is made (port.open_connection); kept for
    # lua-http's shape.
    if self.closed:
        raise ConnectionClosed("connection is closed")


def checktls(self):
    return bool(getattr(self.io, "tls", False))


def localname(self):
    return self.io.localname()


def peername(self):
    return self.io.peername()


def alpn(self):
    return self.io.alpn()


def shutdown(self):
    self.p.keep_alive = False


async def close(self):
    self.closed = True
    await self.io.close()


async def get_next_incoming_stream(self, timeout=None):
    # The next request as a stream (its head already read), or None when the client
    # closed the connection cleanly.  timeout: for the first byte (default
    # idle_timeout); the rest of the head must arrive within header_timeout.
    if not self.is_server:
        raise Error("get_next_incoming_stream: only a server connection accepts streams")
    p = self.p
    if self.stream is not None and not self.end_exchange():
        return None
    if timeout is None:
        timeout = self.idle_timeout
    ev = p.next_event()           # a pipelined request may be buffered already
    if ev is None:
        io = self.io
        if self._eof:
            raise ConnectionClosed("peer closed the connection mid-request")
        data = await io.recv(timeout)
        if not data:
            self._eof = True
        p.receive_data(data)
        ev = p.next_event()
        if ev is None:
            # Part of a head: the rest must come within header_timeout (slowloris).
            ev = await self._rest_of_head(p, io)
    return self._incoming(ev)
