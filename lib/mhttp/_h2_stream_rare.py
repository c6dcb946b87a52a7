# mhttp._h2_stream_rare: the rarely used methods of mhttp.h2_connection.H2Stream
# (private).  H2Stream.__getattr__ finds the names in mhttp.h2_connection._STREAM_RARE here
# on first use (mhttp._lazy.bind) and stores them on the class: the `connection` property,
# get_method, write_continue, write_trailers, server push (push_promise), rst_stream,
# shutdown and _raise (what a reset or a failed connection runs), finish_server (a
# handler left its response open), and the class defaults of pushed and promised_by; and
# mhttp._h2_server's _failed (a handler's error).  Board RAM: a plain
# exchange never loads this module.
from mhttp.errors import ProtocolError, Error, H2StreamError, CANCEL, h2_error_name
from mhttp.headers import Headers
from mhttp.h2_connection import H2Stream, _clean

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# private const() copies of mhttp.h2's numbers
_CONN_CLOSED = const(2)
_ST_CLOSED = const(6)
_INTERNAL_ERROR = const(2)


def _connection(self):
    return self.conn


def get_method(self):
    h = self.headers if self.conn.server else self.request_headers
    return h.get(b":method") if h is not None else None


def _raise(self):
    r = self.reset
    if r is not None:
        who = "by the peer" if r[1] else "by us"
        raise H2StreamError(r[0], "stream %s reset %s (%s)" % (self.id, who, h2_error_name(r[0])),
                            self.id or 0)
    e = self.conn_error or self.conn.error
    if e is not None:
        raise e


async def write_continue(self, timeout=None):
    await self.write_headers(Headers(((b":status", b"100"),)), False, timeout)


async def write_trailers(self, headers, timeout=None):
    await self.write_headers(headers, True, timeout)


async def push_promise(self, headers, timeout=None):
    # Server push (RFC 9113 §8.4): promises `headers` (a GET request) on this stream
    # and returns the pushed stream, to be answered with write_headers/write_chunk.
    # Raises ProtocolError when the client disabled push.
    conn = self.conn
    if not conn.server:
        raise Error("push_promise: only a server pushes")
    if not isinstance(headers, Headers):
        headers = Headers(headers)
    h = headers
    if not h.has(b":scheme"):
        h = h.clone()
        h.append(b":scheme", conn.scheme)
    if not h.has(b":authority") and self.headers is not None:
        a = self.headers.get(b":authority")
        if a is not None:
            h.append(b":authority", a)
    pid = conn.p.push_stream(self.id, _clean(h))
    st = H2Stream(conn, pid)
    st.headers = h
    st.in_done = True
    st._headers_pending = False     # (a server's stream, but no request to hand out)
    conn.streams[pid] = st
    await conn._flush()
    return st


def rst_stream(self, code=CANCEL):
    # RST_STREAM(code) now (lua-http stream:rst_stream).
    conn = self.conn
    if self.id is None or self.reset is not None:
        return
    p = conn.p
    if p.state == _CONN_CLOSED:
        return
    try:
        p.reset_stream(self.id, code)
    except ProtocolError:
        return
    self.reset = (code, False)
    conn._forget(self)
    conn._kick()


def shutdown(self):
    # Gives up on the stream: RST_STREAM(CANCEL) unless it finished both ways.
    if self.id is None:
        return
    if self.out_done and self.in_done:
        self.conn._forget_later(self)
        if not self.chunks:
            return
        self.conn._forget(self)
        return
    st = self.conn.p.stream_state(self.id)
    if st >= _ST_CLOSED:
        self.conn._forget(self)
        return
    self.rst_stream(CANCEL)


async def finish_server(self):
    # Completes the response if the handler left it open; a request body it did not
    # read is refused with RST_STREAM(NO_ERROR) (RFC 9113 §8.1) once we answered.
    conn = self.conn
    if self.reset is not None or conn.error is not None:
        conn._forget(self)
        return
    if not self.out_done:
        if not self.headers_sent:
            await self.write_headers(Headers(((b":status", b"500"), (b"content-length", b"0"))),
                                     True)
        else:
            await self.write_chunk(b"", True)
    from mhttp._h2_server import _close
    _close(self)


def _failed(server, stream, e, done):
    # e was raised by the handler (done False), or after it (done True: completing the
    # response, the error response, the reset), where mhttp errors end the stream
    # quietly and others are reported.  Returns None, or the coroutine writing the
    # 408 / 500 response; a response already started is reset.
    from mhttp import errors
    if done:
        own = False
        if e.__class__ is errors.ProtocolError and stream.reset is None and not stream.out_done:
            # finish_server ending a body short of its content-length (mhttp.h2's check
            # of what we send), on a connection still open
            p = stream.conn.p
            own = p._streams.get(stream.id)
            own = own is not None and own.oleft > 0 and p.state != _CONN_CLOSED
        if not isinstance(e, errors.Error) or own:
            report = getattr(server, "_report", None)
            if report is not None:
                report(stream, "h2 stream", e)
        if own:
            try:
                stream.rst_stream(_INTERNAL_ERROR)
            except Exception:
                pass
        return None
    if isinstance(e, errors.ConnectionClosed):
        return None
    if isinstance(e, (errors.H2StreamError, errors.H2ConnectionError)):
        return None
    if isinstance(e, errors.Timeout):
        status = b"408"
    else:
        status = b"500"
        report = getattr(server, "_report", None)
        if report is not None:
            report(stream, "onstream", e)
    if stream.headers_sent and stream.reset is None and stream.conn.error is None:
        s = stream.conn.p._streams.get(stream.id)
        if s is not None and s.hout != 2:
            # the head was refused before it went out (mhttp.h2's checks of our fields)
            stream.headers_sent = False
    if not stream.headers_sent and stream.reset is None and stream.conn.error is None:
        return stream.write_headers(Headers(((b":status", status), (b"content-length", b"0"))),
                                    True)
    if stream.reset is None:
        try:
            stream.rst_stream(_INTERNAL_ERROR)
        except Exception as e2:
            _failed(server, stream, e2, True)
    return None


connection = property(_connection)
# H2Stream's class defaults for a pushed stream's fields (bound on the class at the first
# read, as the methods are): the streams pushed with this one as parent (a list at the
# first), and the stream that promised this one
pushed = ()
promised_by = None
