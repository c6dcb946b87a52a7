# mhttp._h2_client: what only a client runs of mhttp.h2 and mhttp.h2_connection (private;
# a plain server exchange never loads it).  The classes' __getattr__ (mhttp._lazy.bind)
# find these methods here on first use and store them on the class:
#   H2Protocol    get_next_available_stream_id, can_open_stream, _open_local (a stream of
#                 ours: a client's request) and _check_response (a response head, RFC 9113
#                 §8.3.2)
#   H2Connection  connect, close, new_stream, _start (the asyncio reader task), _read_once
#                 (the blocking face's reader) and _check (also mhttp._h2_conn_rare's)
#   H2Stream      _open (a client stream's id)
# Board RAM: an h2c server paid for these defs, their constants and names in mhttp.h2 and
# mhttp.h2_connection (ROMFS, 64-bit unix port: ~0.5 KB) without ever running them.
# (mhttp.h2_connection's names are imported where used: this module may load while
# mhttp.h2 is being imported, before mhttp.h2_connection exists; see mhttp._lazy.settle.)
from mhttp.errors import Error, Timeout, ConnectionClosed
from mhttp.h2 import _err

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# private const() copies of mhttp.h2's numbers
_CONN_OPEN = const(0)
_CONN_CLOSED = const(2)
_NO_ERROR = const(0)
_ST_IDLE = const(0)
_SETTINGS_MAX_CONCURRENT_STREAMS = const(3)
_MAX_STREAM_ID = const(0x7fffffff)
del const


# -- H2Protocol ----------------------------------------------------------------------------

def _check_response(self, headers, stream):
    # Returns True for an informational (1xx) head.
    sid = stream.id
    ps = self._check_fields(headers, 1, stream)
    s = ps.get(b":status")
    if s is None or len(ps) != 1:
        # a response needs exactly one pseudo-header, :status (RFC 9113 §8.3.2)
        raise _err(47, sid)
    if len(s) != 3 or not s.isdigit() or s[0] == 48:
        # (three digits, 100-999: RFC 9110 §15 has no class below 1xx; mhttp.h1's
        # status-line rule)
        # invalid :status %r
        raise _err(48, sid, (s,))
    if s[0] == 49:  # "1"
        if s == b"101":
            # 101 is not allowed in HTTP/2 (§8.6)
            raise _err(49, sid)
        stream.clen = -1
        return True
    if s == b"304" or s == b"204":
        stream.no_body = True
    return False


def get_next_available_stream_id(self):
    # The next id we may open (odd on a client); raises when ids are exhausted.
    nid = self._next_id
    if nid <= self._high_out:
        nid = self._high_out + 2
    if nid > _MAX_STREAM_ID:
        # stream ids exhausted (RFC 9113 §5.1.1): open a new connection
        raise _err(57, None)
    return nid


def can_open_stream(self):
    # True when a new stream may be opened now: ids left, no GOAWAY, and below the
    # peer's SETTINGS_MAX_CONCURRENT_STREAMS.
    if self.state != _CONN_OPEN or self.goaway_received is not None:
        return False
    if self._open_out >= self.remote_settings[_SETTINGS_MAX_CONCURRENT_STREAMS]:
        return False
    n = self._next_id if self._next_id > self._high_out else self._high_out + 2
    return n <= _MAX_STREAM_ID


def _open_local(self, id):
    # A new stream of ours (client request).
    self._check()
    if not self.client:
        # a server opens streams with push_stream
        raise _err(58, id)
    if not id & 1 or id <= self._high_out or id > _MAX_STREAM_ID:
        # stream id %d is not a new odd id above %d
        raise _err(59, id, (id, self._high_out))
    if self.goaway_received is not None or self.state != _CONN_OPEN:
        # no new streams after GOAWAY (RFC 9113 §6.8)
        raise _err(60, None)
    if self._open_out >= self.remote_settings[_SETTINGS_MAX_CONCURRENT_STREAMS]:
        # peer's SETTINGS_MAX_CONCURRENT_STREAMS %d reached
        raise _err(61, id, (self.remote_settings[_SETTINGS_MAX_CONCURRENT_STREAMS],))
    self._high_out = id
    self._next_id = id + 2
    return self._new_stream(id, _ST_IDLE)


# -- H2Connection --------------------------------------------------------------------------

async def connect(self, timeout=None):
    # Sends the preface / our SETTINGS and feeds bytes already read.
    if self.closed:
        from mhttp.h2_connection import _cerr
        # connection is closed
        raise _cerr(1)
    await self._flush()
    if self._pending:
        d, self._pending = self._pending, None
        self._feed(d)
        await self._flush()


async def close(self, timeout=None):
    # GOAWAY(NO_ERROR) if still open, then close the transport (lua-http's
    # connection:close; a server closes its connections otherwise, in mhttp.server).
    if self.closed:
        return
    p = self.p
    if p.state != _CONN_CLOSED and self.error is None:
        p.close_connection(_NO_ERROR)
        try:
            await self._flush(timeout if timeout is not None else 1)
        except Exception as e:
            if not isinstance(e, Error):
                raise
    self.closed = True
    self._end(ConnectionClosed("connection closed"))
    await self.io.close()


def new_stream(self):
    from mhttp.h2_connection import H2Stream, _cerr
    if self.server:
        # new_stream: only a client connection opens streams (servers push)
        raise _cerr(2)
    self._check()
    if self.goaway is not None or self.p.state != _CONN_OPEN:
        # new_stream: the connection is going away (GOAWAY)
        raise _cerr(3)
    return H2Stream(self, None)


def _check(self):
    # (also used by mhttp._h2_conn_rare's methods)
    if self.error is not None:
        raise self.error
    if self.closed:
        from mhttp.h2_connection import _cerr
        # HTTP/2 connection is closed
        raise _cerr(4)


async def _start(self):
    # Client over asyncio: the reader task (it also sends the preface).
    if self._reader is None and not self.blocking and not self.closed and not self.server:
        import asyncio
        self._reader = asyncio.create_task(self._read_loop())


async def _read_once(self, timeout):
    if self.eof:
        from mhttp.h2_connection import _cerr
        # connection closed by peer
        raise _cerr(5)
    try:
        data = await self.io.recv(timeout)
    except Timeout:
        raise
    except ConnectionClosed as e:
        self._end(e)
        raise
    if not data:
        self.eof = True
        self._end(ConnectionClosed("connection closed by peer"))
        return
    self._feed(data)
    await self._flush()


# -- H2Stream ------------------------------------------------------------------------------

async def _open(self, timeout):
    # Client: a stream id, once the peer's SETTINGS_MAX_CONCURRENT_STREAMS allows.
    conn = self.conn
    p = conn.p
    while not p.can_open_stream():
        conn._check()
        if conn.goaway is not None or p.state != _CONN_OPEN:
            from mhttp.h2_connection import _cerr
            # no new stream: the peer sent GOAWAY
            raise _cerr(10)
        await conn._wait(None, timeout, "waiting for a stream slot")
    sid = p.get_next_available_stream_id()
    self.id = sid
    conn.streams[sid] = self
    return sid
