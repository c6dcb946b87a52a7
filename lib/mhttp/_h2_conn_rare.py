# mhttp._h2_conn_rare: the rarely used methods of mhttp.h2_connection.H2Connection
# (private), and that module's rarely used names.  H2Connection.__getattr__ finds the
# methods named in mhttp.h2_connection._CONN_RARE here on first use (mhttp._lazy.bind) and
# stores them on the class: the lua-http accessors (checktls, localname, peername, alpn,
# settings, peer_settings, can_open_stream), graceful shutdown / abort, PING,
# SETTINGS changes after the start, get_next_incoming_stream (a client's pushed streams),
# and what only errors and resets run (_fail, _kick, _quiet_flush); and the parts of
# __init__ / _dispatch for an h2c upgrade and the rare events (init_upgrade,
# dispatch_rare), and mhttp.server's side of `Upgrade: h2c` (_h2c_upgrade, reached
# through mhttp._server_h2).  The module's
# __getattr__ finds is_preface_prefix, upgrade_request and UPGRADE_101 here (the server's
# h2c paths).  Board RAM: a plain exchange never loads this module.
from mhttp.errors import (Error, Timeout, ConnectionClosed, ProtocolError, H2ConnectionError,
                          SETTINGS_TIMEOUT, h2_error_name)
from mhttp.h2_frames import PREFACE
from mhttp._io import ticks_ms, ticks_diff
from mhttp.h2_connection import H2Connection

# H2Connection's class default for the PING payloads acknowledged (a list at the first):
# only this module's code reads it, so it is set here (board RAM: H2Connection's class
# dict 38 -> 37 entries, its table 752 -> 592 bytes, in every program that never pings).
H2Connection._pings = ()

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# private const() copies of mhttp.h2's numbers
_CONN_OPEN = const(0)
_CONN_CLOSED = const(2)
_EV_PING_ACKED = const(9)
_EV_PUSH_PROMISE = const(11)
_REFUSED_STREAM = const(7)
_SETTINGS_MAX_CONCURRENT_STREAMS = const(3)


def checktls(self):
    return bool(getattr(self.io, "tls", False))


def localname(self):
    return self.io.localname()


def peername(self):
    return self.io.peername()


def alpn(self):
    return self.io.alpn()


def _settings(self):
    # Our settings in effect (acknowledged by the peer).
    return self.p.local_settings


def _peer_settings(self):
    return self.p.remote_settings


def can_open_stream(self):
    return self.error is None and not self.closed and self.p.can_open_stream()


def shutdown(self):
    # Graceful GOAWAY (RFC 9113 §6.8): streams already open finish, no new ones.
    p = self.p
    if p.state == _CONN_OPEN:
        p.start_graceful_shutdown()
        self._kick()


def abort(self):
    self.closed = True
    self.io.abort()
    self._end(ConnectionClosed("connection aborted"))


def _left(timeout, t0):
    # What is left of `timeout` seconds since ticks t0 (None: no limit).  The waiters on
    # the connection's _ev are also woken by other events: each wait gets the rest.
    if timeout is None:
        return None
    left = timeout - ticks_diff(ticks_ms(), t0) / 1000
    return left if left > 0 else 0.001


async def ping(self, timeout=None):
    # PING; returns the round-trip time in seconds.
    import os
    data = os.urandom(8) if hasattr(os, "urandom") else b"mhttp-pg"
    t0 = ticks_ms()
    self._check()
    self.p.ping(data)
    await self._flush()
    while data not in self._pings:
        self._check()
        await self._wait(None, _left(timeout, t0), "ping")
    self._pings.remove(data)
    return ticks_diff(ticks_ms(), t0) / 1000


async def update_settings(self, changes, timeout=None):
    # Sends SETTINGS and waits for the ACK; past `timeout` (default settings_timeout)
    # the connection ends with GOAWAY SETTINGS_TIMEOUT.
    self._check()
    p = self.p
    n = len(p._pending_settings)
    p.update_settings(changes, ticks_ms())
    await self._flush()
    if timeout is None:
        timeout = self.settings_timeout
    t0 = ticks_ms()
    try:
        while len(p._pending_settings) > n:
            self._check()
            await self._wait(None, _left(timeout, t0), "SETTINGS ACK")
    except Timeout:
        self._fail(SETTINGS_TIMEOUT, "SETTINGS not acknowledged within %ss" % timeout)
        await self._flush()
        raise


async def get_next_incoming_stream(self, timeout=None):
    # Server: the next request stream (its head read), or None once the client went
    # away.  Client: the next pushed stream (PUSH_PROMISE), or None.
    if timeout is None:
        timeout = self.idle_timeout if self.server else self.timeout
    await self._start()
    while not self._incoming:
        if self.error is not None or self.eof or self.closed:
            return None
        if self.goaway is not None and not self.streams:
            return None
        await self._wait(None, timeout, "waiting for a stream")
    return self._incoming.pop(0)


def _kick(self):
    # A write from a synchronous call (shutdown, rst_stream): done now on a blocking
    # connection, by a task on asyncio (or by the reader's end-of-batch write).
    if self._batch or self._writing or not self.p._out:
        return
    if self.blocking:
        from mhttp._io import run_blocking
        try:
            run_blocking(self._flush())
        except Error:
            pass
        return
    try:
        import asyncio
        asyncio.create_task(self._quiet_flush())
    except Exception:
        pass


async def _quiet_flush(self):
    try:
        await self._flush()
    except Error:
        pass


def _fail(self, code, msg):
    # A connection error found by the driver (not the core): GOAWAY(code).
    p = self.p
    if p.state != _CONN_CLOSED:
        p.close_connection(code, None, msg.encode() if isinstance(msg, str) else msg)
    self._end(H2ConnectionError(code, msg))


def init_upgrade(self, upgrade, now):
    # H2Connection.__init__ after an HTTP/1.1 `Upgrade: h2c`: stream 1 carries the
    # HTTP/1.1 request (server: upgrade = (HTTP2-Settings value, request headers);
    # client: True, or the request method as bytes).
    from mhttp.h2_connection import H2Stream
    p = self.p
    if self.server:
        p.initiate_upgrade_connection(upgrade[0], now)
        st = H2Stream(self, 1)
        st.headers = upgrade[1]
        st.in_done = True
    else:
        method = upgrade if isinstance(upgrade, bytes) else b"GET"
        p.initiate_upgrade_connection(None, now, method)
        st = H2Stream(self, 1)
        st.headers_sent = True
        st.out_done = True
    self.streams[1] = st
    self._upgrade_stream = st


def dispatch_rare(self, ev):
    # H2Connection._dispatch for the rare events: PING ACK, PUSH_PROMISE, and the GOAWAY
    # we sent because of the peer's input (EV_CONNECTION_TERMINATED).
    from mhttp.h2_connection import H2Stream, _wake_all
    k = ev[0]
    if k == _EV_PING_ACKED:
        if self._pings:
            self._pings.append(bytes(ev[1]))
        else:
            self._pings = [bytes(ev[1])]
        if len(self._pings) > 16:
            self._pings.pop(0)
        if self._ev:
            _wake_all(self._ev)
    elif k == _EV_PUSH_PROMISE:
        p = self.p
        if len(self._incoming) >= p.advertised_settings[_SETTINGS_MAX_CONCURRENT_STREAMS]:
            # pushed streams nobody has taken (get_next_incoming_stream), as many as our
            # SETTINGS_MAX_CONCURRENT_STREAMS: this one is refused, not kept (RFC 9113
            # §8.4, §5.1.2: RST_STREAM(REFUSED_STREAM))
            p.reset_stream(ev[2], _REFUSED_STREAM)
            return
        st = H2Stream(self, ev[2])
        st.request_headers = ev[3]
        st.promised_by = ev[1]
        st.headers_sent = True
        st.out_done = True
        self.streams[ev[2]] = st
        parent = self.streams.get(ev[1])
        if parent is not None:
            if parent.pushed:
                parent.pushed.append(st)
            else:
                parent.pushed = [st]
        if self._incoming:
            self._incoming.append(st)
        else:
            self._incoming = [st]
        if self._ev:
            _wake_all(self._ev)
    else:
        dbg = ev[3]
        try:
            dbg = bytes(dbg).decode()
        except Exception:
            dbg = repr(dbg)
        self._end(H2ConnectionError(ev[1], "HTTP/2 connection error (GOAWAY %s sent): %s"
                                    % (h2_error_name(ev[1]), dbg)))


settings = property(_settings)              # ours in effect (acknowledged by the peer)
peer_settings = property(_peer_settings)


# -- mhttp.h2_connection's error messages ---------------------------------------------------
# mhttp.h2_connection raises _cerr(n, args): the exception class and text of entry n.
ERRORS = (
    (Timeout, '%s timed out after %ss'),  # 0
    (ConnectionClosed, 'connection is closed'),  # 1
    (Error, 'new_stream: only a client connection opens streams (servers push)'),  # 2
    (ConnectionClosed, 'new_stream: the connection is going away (GOAWAY)'),  # 3
    (ConnectionClosed, 'HTTP/2 connection is closed'),  # 4
    (ConnectionClosed, 'connection closed by peer'),  # 5
    (Timeout, 'write timed out after %ss (the peer stopped reading)'),  # 6
    (ConnectionClosed, 'write failed: %r'),  # 7
    (Error, 'get_headers: write the request head first'),  # 8
    (Error, 'get_next_chunk: write the request head first'),  # 9
    (ConnectionClosed, 'no new stream: the peer sent GOAWAY'),  # 10
    (Error, 'write_headers: no stream id'),  # 11
    (Error, 'write_headers: a response needs a :status of 100-599'),  # 12
    (ProtocolError, 'write_chunk: stream %s already ended'),  # 13
    (Error, 'write_chunk: write the request head first'),  # 14
    (Timeout, 'stream %s stalled: no WINDOW_UPDATE within %ss'),  # 15
)


# What mhttp.h2_connection's streams wait for, by number (their _wait's reason; board
# RAM: the texts are constants of this module, not of mhttp.h2_connection).
WAITS = ("waiting for headers", "reading body", "waiting for flow-control window")


def cerr(n, args):
    cls, msg = ERRORS[n]
    if n == 0 and args[0].__class__ is int:
        args = (WAITS[args[0]], args[1])
    return cls(msg % args if args is not None else msg)


# -- module-level names (mhttp.h2_connection.X through its __getattr__) --------------------

def is_preface_prefix(data):
    # True when `data` could be the start of the client connection preface.
    n = len(data)
    if n > 24:
        n = 24
    return bytes(data[:n]) == PREFACE[:n]


def _tokens(headers, name):
    # the lower-cased list items of every `name` field
    r = []
    for v in headers.get_as_sequence(name):
        for t in v.split(b","):
            r.append(t.strip().lower())
    return r


def upgrade_request(headers, version=b"1.1"):
    # Server: the HTTP2-Settings value when an HTTP/1.1 request asks for `Upgrade: h2c`
    # (RFC 7540 §3.2) and can be switched (no request body), else None: the request is
    # then served as HTTP/1.1, its Upgrade ignored.  Ignored also: an HTTP/1.0 request's
    # (version b"1.0", RFC 9110 §7.8), one whose Connection does not list both `Upgrade`
    # and `HTTP2-Settings` (hop-by-hop fields, RFC 9110 §7.6.1, RFC 7540 §3.2.1), and an
    # HTTP2-Settings value that is not base64url token68 (RFC 7540 §3.2.1; "MUST NOT
    # upgrade" is all it says of a missing one: we treat a malformed one alike).
    if version != b"1.1" or b"h2c" not in _tokens(headers, b"upgrade"):
        return None
    t = _tokens(headers, b"connection")
    if b"upgrade" not in t or b"http2-settings" not in t:
        return None
    s = headers.get_as_sequence(b"http2-settings")
    if len(s) != 1:
        return None
    v = s[0].strip()
    n = len(v)
    while n and v[n - 1] == 61:          # "=" (token68's padding)
        n -= 1
    for c in v[:n]:
        # base64url: A-Z a-z 0-9 - _
        if not (65 <= c <= 90 or 97 <= c <= 122 or 48 <= c <= 57 or c == 45 or c == 95):
            return None
    cl = headers.get(b"content-length")
    if headers.has(b"transfer-encoding") or (cl is not None and cl != b"0"):
        return None
    return s[0]


UPGRADE_101 = b"HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: h2c\r\n\r\n"


async def _h2c_upgrade(self, conn, stream):
    # Server side of `Upgrade: h2c`: 101, then HTTP/2 on this connection with the
    # request as stream 1.  False when the request cannot switch.
    from mhttp.h2_connection import _clean
    from mhttp.headers import Headers
    sh = upgrade_request(stream.headers, conn.p.their_version)
    if sh is None or not conn.p.their_done:
        return False
    p = conn.p
    left = p._buf[p._pos:]
    try:
        c2 = self._new_h2(conn.io, bytes(left) if left else None,
                          (sh, Headers(_clean(stream.headers))))
    except Exception as e:
        if not isinstance(e, Error):
            raise
        return False
    await conn.io.send([UPGRADE_101], self.write_timeout)
    self.conns.discard(conn)
    self.conns.add(c2)
    if self._closing:
        c2.close_after = True       # (close() began during the upgrade: GOAWAY at once)
    try:
        await self._serve_h2(c2)
        self._serve_h2(c2, 1)       # (ended: a failure of the core reported)
        if c2.close_after and not c2.eof:
            await self._error_close(c2.io, None)    # (the lingering close: see server.py)
    finally:
        self.conns.discard(c2)
    return True


# mhttp.h2_connection reaches these through F[_CF_*] (its const() indexes, same order):
# one interned name on a board's plain path instead of one per function.
def mod_attr(g, name):
    # mhttp.h2_connection's module __getattr__ (PEP 562; g: that module's globals), here
    # so that its names and tests are str constants of this module, not heap objects of
    # mhttp.h2_connection.
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(g, "ProtocolError StreamCommon Error Timeout ConnectionClosed")
    if name in "ProtocolError Error Timeout ConnectionClosed".split():
        # (mhttp.errors' classes, as when they were imported there: see its _is)
        return globals()[name]
    if name == "StreamCommon":
        from mhttp.stream_common import StreamCommon
        return StreamCommon
    # the server's h2c helpers (here), serve_connection (mhttp._h2_server)
    if name in ("is_preface_prefix", "upgrade_request", "UPGRADE_101"):
        return globals()[name]
    if name == "serve_connection":
        from mhttp._h2_server import serve_connection
        return serve_connection
    raise AttributeError(name)


F = (cerr, init_upgrade, dispatch_rare, _fail, mod_attr)
