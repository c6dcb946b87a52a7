# mhttp.request: lua-http's http.request in Python idiom.
#
#   import mhttp.request
#   req = mhttp.request.new_from_uri("https://example.com/")
#   headers, stream = await req.go(10)          # asyncio (CPython or MicroPython)
#   body = await stream.get_body_as_string()
#
#   headers, stream = req.go_blocking(10)       # plain blocking sockets, no event loop
#   body = stream.get_body_as_string()
#
# A Request holds everything needed to (re)send one request: where to connect (host,
# port, tls, ctx, sendname, version, cafile, verify), the request header block (with the
# pseudo-headers :method, :scheme, :authority, :path), the body source and the redirect
# policy.  go() opens (or reuses) a connection through mhttp.client.connect, writes the
# head and the body, skips 1xx interim responses and follows redirects; it returns the
# final response headers and the response stream.  The request object is not consumed:
# go() can be called again.
#
# Blocking face (DESIGN.md: one copy of the logic).  go_blocking(timeout) is
# `run_blocking(self._go(dl, True))`: the very same coroutine, run on blocking I/O
# objects where it never suspends.  The stream it returns is wrapped in
# mhttp.blocking.Blocking, a generic proxy whose methods run the wrapped stream's
# coroutine methods through run_blocking; no stream method is written twice.
#
# Semantics (lua-http http.request, with the differences marked *):
#   - new_from_uri: :method GET, :authority from host/port (default port omitted),
#     :path "/" when empty, userinfo -> "authorization: basic ...", a user-agent.
#   - set_body: bytes/str -> content-length; a file-like (.read) is sent from its start
#     (seek(0), as lua-http; whatever its read position) -> content-length when its size
#     can be found (seek), else chunked; an iterable, iterator or callable
#     (lua-http's "function": called until it returns None) -> chunked.  Bodies larger
#     than 1024 bytes or of unknown length also get "expect: 100-continue" (as lua-http).
#   - go: with "expect: 100-continue" the body waits up to expect_100_timeout seconds for
#     the interim response, then is sent anyway; a final response that arrives first
#     means the body is not sent (HTTP/1: the connection is not reused; HTTP/2: the
#     stream ends with RST_STREAM(NO_ERROR) once that response is complete, and the
#     response is read as any).  * HTTP/2: while the body waits for window, response
#     DATA is held and granted window within response_buffer (a server that answers
#     as it reads, see mhttp._h2_client_more.RESPONSE_BUFFER); HTTP/1.x reads the
#     response meanwhile and holds it up to response_buffer (mhttp._h1c_upload), and
#     returns a final response the server sent before it closed mid-body (a 413).
#     * A 417 to a
#     request with the expectation is retried once without it (RFC 9110 §10.1.1) when
#     the body can be replayed.
#   - redirects (3xx except 304, with Location, follow_redirects true): handled by
#     handle_redirect, at most max_redirects times (then RedirectError).  301/302 turn a
#     POST into a body-less GET unless post301/post302; 303 turns any method other than
#     GET/HEAD into GET (* lua-http only converts POST; this is RFC 9110 §15.4.4 and the
#     fetch standard).  307/308 keep method and body.  Relative references are resolved
#     against the request's target (* RFC 3986 §5.2: "?q" keeps the path, where lua-http
#     uses "/").  A Referer is set, except from https to http.  * On a redirect to another
#     origin (scheme, host or port differ) authorization and cookie fields are dropped,
#     unless the Location carries its own userinfo; a host field given (which HTTP/1.1
#     writes in place of :authority) is dropped when the authority changes.
#   - version 1.0 (Request.version, client.connect's option): the request line says
#     HTTP/1.0, a body of unknown length is gathered to send its content-length (no
#     chunked), and the connection closes after the exchange unless the request asked
#     for keep-alive (Connection: keep-alive).
#   - keep-alive: connections are pooled per (scheme, host, port, TLS settings, version,
#     I/O model); a connection goes back to the pool once its response has been read to
#     the end with keep-alive; a stream that was not read to the end is never reused
#     (stream.shutdown() closes its connection).  As lua-http's, the stream owns what it
#     holds until then: one dropped unread keeps its HTTP/1 connection open until the
#     garbage collector frees it (CPython: a ResourceWarning; the MicroPython unix
#     port's plain sockets have no finaliser: there a pool closes the oldest such
#     connections past max_total, mhttp._client_lease), its HTTP/2 stream open on
#     the shared connection (its unread DATA buffered) until the server ends it; call
#     shutdown() on a response you stop reading.  An HTTP/2 connection is shared by every
#     request to its origin; concurrent first requests wait for the one connection being
#     opened (Pool.pending) instead of each opening their own.  * A request an HTTP/2
#     server did not process (RST_STREAM(REFUSED_STREAM), a stream above its GOAWAY's
#     last-stream-id, or not sent after its GOAWAY: RFC 9113 §8.7) is sent again once,
#     whatever its method, when its body can be produced again or was not read yet; the
#     shared connection is closed only when it failed itself.
#   - proxy is a placeholder (proxies are a later issue).
#
# RAM on boards: this module holds what a request without a body that is not redirected
# runs (new_from_uri, go, the pool, the response stream).  Everything else -- set_body
# and the body sources (body_length, body_replayable), 100-continue, redirects
# (handle_redirect), clone, to_uri, new_connect, RedirectError, initial headers and
# userinfo for new_from_uri, the wait for a shared connection being opened, the retry on
# a stale pooled connection, Pool.count/close_all -- lives in
# mhttp._request_more, loaded on first use: Request's rare methods through mhttp._lazy
# (Request.__getattr__), the module's names through the module __getattr__ below (PEP
# 562), so `from mhttp.request import RedirectError` and `request.body_length` work as
# before and name the same objects.
# (Modules imported whole, names taken from them as attributes, and mhttp.errors only
# where an error needs it; mhttp.headers and mhttp.stream_common where they are used:
# this module's dict holds 17 entries with the URI functions below, 320 B on a board;
# one more takes a table of 416 B.)
import mhttp._io as _io
import mhttp._lazy as _lazy

if not hasattr(b"", "translate"):
    # Board RAM (MicroPython): the package's dict (every module loaded is stored in it as
    # mhttp.<name>) takes now, while the heap is nearly empty, the table of 17 slots
    # (272 B) that the first plain GET's modules fill: it was grown from 12 to 17 by the
    # last of them (mhttp._h1_client, loaded while the first connection is set up, the
    # tightest moment of the exchange), the failing allocation of the h1 client at
    # 31.5-32.5 KiB heaps from ROMFS.  Keys added up to 13 and removed again (int keys:
    # no name interned; a removed key's slot is reused).  _io and _lazy serve as scratch
    # (no global more in this module's dict), imported again below.
    _io = __import__("mhttp").__dict__
    for _lazy in range(len(_io), 13):
        _io[_lazy] = None
    for _lazy in range(13):
        _io.pop(_lazy, None)
    import mhttp._io as _io
    import mhttp._lazy as _lazy

DEFAULT_USER_AGENT = b"mhttp/0.1"

# Request's methods in mhttp._request_more (see mhttp._lazy), and below (__getattr__) the
# module's names there (EXPECT_THRESHOLD and FILE_CHUNK too).  Each is one str, split
# when a name is missed: a name that appears only in a tuple would be interned (heap on
# MicroPython, even from ROMFS) by every program that imports this module.
# The class-level defaults only the rare paths read (redirects, 100-continue; proxy is a
# placeholder) are there too, bound on the class like the methods: five names fewer on
# the plain path (each an interned name on MicroPython).
_RARE = "clone to_uri set_body handle_redirect _scheme _follow _exchange_body " \
        "_connect_shared _may_resend _failed expect_100_timeout max_redirects post301 post302 " \
        "proxy response_buffer"


def __getattr__(name):
    # (PEP 562) RedirectError, body_length, body_replayable, new_connect,
    # EXPECT_THRESHOLD, FILE_CHUNK, Headers (mhttp.headers', imported where used here)
    # and __all__: mhttp._request_more._modattr (board RAM: their list is not carried by
    # every program).
    if name[:1] == "_" and name != "__all__":
        raise AttributeError(name)      # (a probe for __path__ &c. loads nothing)
    from mhttp._request_more import _modattr
    return _modattr(name)


def _left(deadline):
    # Seconds left before the deadline: None (no limit) or (start ticks_ms, timeout); at
    # least 1 ms, so that an expired deadline still times out in the callee.
    if deadline is None:
        return None
    # (One float made, not two: a heap object each on MicroPython.  No float constant
    # either, a heap object on a board even from ROMFS: 1 / 1000 would be folded into
    # one by the compiler; the milliseconds are clamped first instead.)
    t = deadline[1] * 1000 - _io.ticks_diff(_io.ticks_ms(), deadline[0])
    if t <= 0:
        t = 1
    return t / 1000


# ---- URIs ------------------------------------------------------------------------
# mhttp.util's parse_uri, to_authority and scheme_to_port, here because every request
# runs them (board RAM: no module of their own on the request path, ~0.6 KB from ROMFS);
# mhttp.util serves them through its module __getattr__ (a program that uses mhttp.util
# without requests does not load this module), their helpers _in and _out are mhttp._io's
# (loaded by every program: mhttp.util and its helpers take them from there).  See
# mhttp.util's opening comment for the conventions (bytes or str in, the same kind out;
# ValueError on bad input).  Every bytes or non-identifier str constant is a heap object
# on a board (about 40 B, even from ROMFS), so delimiters are byte values (a comment
# names each), the error texts live in mhttp._util_ip (loaded with the first error: each
# raise site imports its _bad there and keeps its text as a comment) and so does the
# IPv6 literal handling.
scheme_to_port = {"http": 80, "ws": 80, "https": 443, "wss": 443}


# (_port and _scheme_str, for mhttp.util, are in mhttp._util_ip: parse_uri and
# to_authority have their code inline, two names fewer on a board's request path.)

def to_authority(host, port, scheme):
    # Reverse of split_authority: brackets an IPv6 literal (without its zone, RFC 6874
    # §4: never sent) and omits the port when it is None or the scheme's default.
    # Returns the kind of host.
    # (Board RAM: no tuple from _in for bytes, no copy of a lowercase scheme.)
    if isinstance(host, bytes):
        b = host
        was_str = False
    else:
        b, was_str = _io._in(host)
    if b.find(b":") >= 0 and b[0] != 91:    # "["
        from mhttp._util_ip import bracket
        b = bracket(b)
    if port is not None:
        # the scheme as a lowercase str (mhttp._util_ip._scheme_str)
        if isinstance(scheme, str):
            if not scheme.islower():
                scheme = scheme.lower()
        elif scheme is not None:
            scheme = _io._in(scheme)[0].decode().lower()
        if scheme_to_port.get(scheme) != port:
            b += b":%d" % port
    return _io._out(b, was_str)


def parse_uri(uri):
    # RFC 3986 §3, for URIs with an authority ("scheme://[userinfo@]host[:port]/p?q#f"):
    # returns (scheme, userinfo, host, port, path_and_query, fragment), each of the kind
    # of uri except port (int).  scheme and host are lowercased; an IPv6 literal loses
    # its brackets, and its RFC 6874 zone is decoded ("[fe80::1%25eth0]" -> host
    # "fe80::1%eth0", what a socket connects to; the zone keeps its case); a missing
    # port is scheme_to_port's default (None for an unknown scheme); an empty path
    # becomes "/"; userinfo and fragment are None when absent.
    # ValueError for a URI without a scheme or "//" authority, or with a bad host or
    # port, or with whitespace or control characters.
    # (Board RAM: indexes into b, one slice per part returned, lower() only when a
    # letter is uppercase: ~0.3 KB of garbage per call, not ~0.8 KB.)
    if isinstance(uri, bytes):
        b = uri
        was_str = False
    else:
        b, was_str = _io._in(uri)
    for c in b:
        if c <= 32 or c == 127:
            from mhttp._util_ip import _bad
            raise _bad(5)   # whitespace or control character in URI
    c = b.find(b":")
    if c <= 0:
        from mhttp._util_ip import _bad
        raise _bad(6)   # URI has no scheme
    scheme = b[:c]
    if not scheme.islower():
        scheme = scheme.lower()
    if not (97 <= scheme[0] <= 122):
        from mhttp._util_ip import _bad
        raise _bad(7)   # invalid URI scheme
    for ch in scheme:
        # a-z 0-9 + - .
        if not (97 <= ch <= 122 or 48 <= ch <= 57 or ch == 43 or ch == 45 or ch == 46):
            from mhttp._util_ip import _bad
            raise _bad(7)   # invalid URI scheme
    if len(b) < c + 3 or b[c + 1] != 47 or b[c + 2] != 47:  # "//"
        from mhttp._util_ip import _bad
        raise _bad(8)   # URI has no authority
    # the authority is b[c:end] (c moved past "//"), the path and query b[end:h]
    c += 3
    # (the first "/", "?" or "#" by byte values: no constant for "?" and no tuple of the
    # separators, each a heap object on a board, even from ROMFS)
    end = len(b)
    for k in range(c, end):
        ch = b[k]
        if ch == 47 or ch == 63 or ch == 35:    # "/", "?", "#"
            end = k
            break
    frag = None
    h = b.find(b"#", end)
    if h >= 0:
        frag = b[h + 1:]
    else:
        h = len(b)
    if h == end:
        tail = b"/"
    elif b[end] != 47:    # "/"
        tail = b"/" + b[end:h]
    elif h == end + 1:
        tail = b"/"     # (the common "/": no copy)
    else:
        tail = b[end:h]
    userinfo = None
    # the last "@" of the authority (by its byte value: no constant, as above)
    at = end - 1
    while at >= c and b[at] != 64:     # "@"
        at -= 1
    if at >= c:
        userinfo = b[c:at]
        c = at + 1
    port = None
    if c < end and b[c] == 91:    # "["
        # (lowercase, a zone decoded: mhttp._util_ip)
        from mhttp._util_ip import uri_ipv6
        host, port = uri_ipv6(b[c:end])
    else:
        k = b.rfind(b":", c, end)
        if k >= 0:
            if end > k + 1:
                # the port: digits -> int in 0..65535 (mhttp._util_ip._port; not empty here)
                port = 0
                for i in range(k + 1, end):
                    ch = b[i]
                    if not 48 <= ch <= 57:
                        from mhttp._util_ip import _bad
                        raise _bad(3, b[k + 1:end])    # invalid port %r
                    port = port * 10 + ch - 48
                if port > 65535:
                    from mhttp._util_ip import _bad
                    raise _bad(4, port)     # port out of range: %d
        else:
            k = end
        up = False
        for i in range(c, k):
            ch = b[i]
            if ch == 91 or ch == 93 or ch == 58:     # "[", "]", ":"
                from mhttp._util_ip import _bad
                raise _bad(9)   # invalid host in URI
            if 65 <= ch <= 90:
                up = True
        host = b[c:k]
        if up:
            host = host.lower()
    if not host:
        from mhttp._util_ip import _bad
        raise _bad(10)  # URI has an empty host
    if port is None:
        port = scheme_to_port.get(scheme.decode())
    o = _io._out
    return (o(scheme, was_str), None if userinfo is None else o(userinfo, was_str),
            o(host, was_str), port, o(tail, was_str), None if frag is None else o(frag, was_str))


# ---- the request object ----------------------------------------------------------

class Request:
    # Class-level defaults (lua-http keeps them in the metatable); expect_100_timeout (1),
    # max_redirects (5), post301 and post302 (False) and proxy (None, a placeholder:
    # proxies are a later issue) are in mhttp._request_more (_RARE above).  On
    # MicroPython they reach the class on first use: read them on a request
    # (req.max_redirects), or from mhttp._request_more, not as Request.max_redirects
    # (AttributeError until a request has read it).  Setting them works as ever, on the
    # class (Request.max_redirects = 10) or on a request.
    follow_redirects = True
    version = None  # None: h2 if the server agrees by ALPN (TLS, CPython), else 1.1; 2: HTTP/2
    h2c_upgrade = False  # version=2 on http://: Upgrade: h2c first instead of prior knowledge
    ctx = None  # an ssl.SSLContext (or port equivalent); None: the default client context
    sendname = None  # SNI name; None: the host; False: none
    h2_settings = None
    cafile = None  # a CA bundle for the default context (MicroPython needs one)
    verify = True  # False: no certificate verification (curl -k)
    pool = None  # None: the module's POOL; False: never reuse connections
    # (body is set on every request, None too: as a class default it would take this
    # class's table past 17 entries, 416 B on a board instead of 320, for 32 B less per
    # request)

    def __init__(self, host, port, tls, headers, body=None):
        self.host = host
        self.port = port
        self.tls = tls
        self.headers = headers
        self.body = body

    def __getattr__(self, name):
        # clone, to_uri, set_body, handle_redirect and the rare parts of go (mhttp._lazy);
        # Pool's and ClientStream's __getattr__ is this function too (board RAM: a def is
        # heap on a board, ~115 B as a .mpy file): a pool's count, close_all and _evict,
        # a stream's names as described in ClientStream.
        if isinstance(self, ClientStream):
            # StreamCommon's helpers in mhttp._stream_more (get_body_chars,
            # save_body_to_file, each_chunk, ...) are bound on ClientStream: they read
            # through get_next_chunk below, which releases the connection at the end of
            # the body.  Everything else (connection, get_headers, write_headers,
            # write_chunk, ...): the driver's stream's.
            from mhttp.stream_common import BODY, rare_attr
            if name in BODY.split():
                return rare_attr(self, name, None, None)
            if name == "shutdown":
                return _lazy.bind(self, name, "mhttp._request_more", "shutdown")
            return getattr(self.stream, name)
        if isinstance(self, Pool):
            # (_evict: mhttp._client_lease's, see Request._open)
            return _lazy.bind(self, name, "_request_more count close_all _stale;"
                              "_client_lease _evict", None)
        return _lazy.bind(self, name, "mhttp._request_more", _RARE)

    # -- sending --------------------------------------------------------------

    async def go(self, timeout=None):
        # Sends the request (following redirects) and returns (headers, stream).
        return await self._go(None if timeout is None else (_io.ticks_ms(), timeout), False, True)

    def go_blocking(self, timeout=None):
        # go() on blocking sockets: the same coroutine, run by mhttp._io.run_blocking.
        # The stream is wrapped in mhttp.blocking.Blocking (its methods block), taken from
        # mhttp._io_socket, where it lives: the module of the blocking connection, loaded
        # by the first one (board RAM: no module of its own loaded, and nothing loaded
        # after the exchange).  (Few slots in this frame: on MicroPython a function's frame
        # of more than 11 takes a heap block for the whole exchange, a smaller one the C
        # stack.)
        if timeout is not None:
            timeout = (_io.ticks_ms(), timeout)     # the deadline (see _left)
        r = _io.run_blocking(self._go(timeout, True, True))     # (headers, stream)
        # (the module as timeout, a slot reused: `from ... import` builds its tuple of
        # names on every call, 64 B of garbage per request on a board)
        import mhttp._io_socket as timeout
        return r[0], timeout.Blocking(r[1])

    async def _go(self, deadline, blocking, follow):
        # One exchange on a pooled or new connection (deadline: see _left), then
        # redirects when follow is True (_follow).  follow None: no redirects, and a
        # stale pooled connection may still be replaced (a redirect's own request);
        # False: neither (the retry itself).  (One argument: one name fewer on a board; no
        # default: a function with one takes 64 B on a board, not 32.)  A request without a body is done here; one
        # with a body by _exchange_body.  One coroutine for the whole plain exchange:
        # each coroutine layer is a heap frame per request on MicroPython.
        pool = POOL if self.pool is None else self.pool
        # The pool key: scheme, host, port, TLS settings and version, I/O model.  asyncio
        # connections belong to the loop they were opened on (CPython may run several
        # loops one after another; MicroPython has one).  Called from a coroutine,
        # get_event_loop() is the running loop (and a name MicroPython has built in,
        # unlike get_running_loop, which it lacks).
        # (Board RAM: this coroutine's frame is a heap block for the whole exchange, so
        # it keeps few locals and few values on its stack at once: modules by
        # __import__, scratch values in locals not yet in use, the failure path in
        # mhttp._request_more: 12 locals, 19 slots in all, a block of 256 B on the 64-bit
        # unix port, not 23 in 288.)
        if blocking:
            key = True
        else:
            try:
                key = id(__import__("asyncio").get_event_loop())
            except Exception:
                key = 0
        # The TLS settings and version as one item (state, until the exchange), None when
        # they are all the defaults (no ctx, cafile or sendname, verify true, version
        # None): a tuple of five items, 64 B on a board, not nine, 96 B (the key lives as
        # long as its pooled connection).  Keys compare as before: equal exactly when every
        # setting is equal.
        if self.ctx is None and self.cafile is None and self.verify == True and \
                self.sendname is None and self.version is None:     # noqa: E712
            state = None
        else:
            state = (None if self.ctx is None else id(self.ctx), self.cafile, self.verify,
                     self.sendname, self.version)
        # The host lowercased (conn, until the connection): the request's own str when it
        # is lowercase already, not a copy kept alive by the key (board RAM: 32 B).
        conn = self.host.lower()
        if conn == self.host:
            conn = self.host
        key = ("https" if self.tls else "http", conn, self.port, state, key)
        conn = pool.get(key) if pool else None
        reused = conn is not None
        if reused:
            # the entry's own key (see Pool.value; this one is garbage), when the pool's
            # last handed-out entry is this connection's (a pool of another kind, or a
            # Pool subclass whose get() did not go through Pool.get, has none or another's)
            state = getattr(pool, "value", None)
            if state is not None and state[1] is conn:
                key = state[0]
        if conn is None:
            if blocking or not pool or not (self.version == 2 or
                                            (self.tls and self.version is None)):
                conn = await self._open(pool, key, deadline, blocking)
            else:
                # it may turn out HTTP/2: concurrent first requests share one connection
                conn, reused = await self._connect_shared(pool, key, deadline)
        state = None    # [a response head arrived], for a request with a body
        try:
            if self.body is not None:
                state = [False]
                headers, stream = await self._exchange_body(conn, deadline, key, blocking, state)
            else:
                # (e: the driver's stream until the ClientStream wraps it, a slot shared
                # with the handler's exception)
                e = conn.new_stream()
                await e.write_headers(self.headers, True, _left(deadline))
                while True:
                    headers = await e.get_headers(_left(deadline))
                    if headers is None:
                        # (the texts of this module's errors are in mhttp._request_more)
                        # ConnectionClosed: connection closed before a response arrived
                        raise __import__("mhttp._request_more", None, None, ("_err",))._err(1)
                    stream = int(headers.get(b":status"))     # (stream: scratch until set)
                    if stream >= 200 or stream == 101:  # 1xx are interim; 101 is final
                        break
                stream = ClientStream(e, pool, key)
        except BaseException as e:
            if getattr(conn, "version", 1) != 2:
                conn.abort()    # (first: before anything is imported)
                if not reused:
                    raise   # a new HTTP/1 connection: nothing to send again (nor to load)
            # Whether to send the request again on a fresh connection (a kept-alive one
            # the server closed while it sat in the pool; an HTTP/2 request the server did
            # not process), in mhttp._request_more (_failed): failures only.  It gets what
            # it needs as one tuple, built in two steps (few values on the stack at once,
            # see above), and returns the retry's coroutine (None: not sent again).
            state = (conn, state, reused)
            state += (follow, deadline, blocking)
            e = self._failed(e, state)
            if e is None:
                raise
            headers, stream = await e
        if follow is True and self.follow_redirects:
            state = int(headers.get(b":status"))     # (state: scratch now)
            if 300 <= state < 400 and state != 304:
                # (a redirect without Location is returned as is: by _follow, in
                # mhttp._request_more)
                return await self._follow(headers, stream, deadline, blocking)
        return headers, stream

    async def _open(self, pool, key, deadline, blocking):
        if not self.tls and self.ctx is None and self.version is None:
            # Plain http:// HTTP/1.1: what mhttp.client.connect does for these options
            # (no TLS, so no SNI and no ALPN), without loading mhttp.client (board RAM:
            # ~1.2 KB from ROMFS, ~2.5 KB as a .mpy file).
            if not hasattr(b"", "translate"):
                # (MicroPython: its bytes have no translate; no "micropython" literal, a
                # heap object on a board.)  Board RAM (the GC never moves objects): a
                # collection first, so that the connection's long-lived objects (socket,
                # receive buffer, parser, the modules loaded by the first one) fill the
                # holes the program's earlier garbage left low in the heap, instead of
                # splitting the free space every request then needs (as
                # mhttp.websocket's connect).
                import gc
                gc.collect()
            import _mhttp_port
            from mhttp.h1_connection import H1Connection
            if not hasattr(b"", "translate"):
                # And one after the driver's modules (mhttp.h1_connection and mhttp.h1,
                # loaded by the first connection): the garbage their loading left goes
                # before the socket and its receive buffer (2 KiB on the unix port, the
                # largest block a connection holds) are made.  Without it the first
                # connect found 5.7 KiB free in pieces of under 1 KiB (h1 client 100
                # GETs, ROMFS, 37 KiB heap: MemoryError for the buffer).  Twice per new
                # connection, never per request.
                import gc
                gc.collect()
            if blocking:
                io = _mhttp_port.open_connection_blocking(self.host, self.port, None, None,
                                                          None, _left(deadline))
                if pool and _mhttp_port.DEFAULT_BUFSIZE == 2048:
                    # the unix port in a desktop's heap: its sockets have no finaliser,
                    # a pool bounds them (Pool._evict with n None, mhttp._client_lease;
                    # not in a board-sized heap, where it runs what a board runs, see
                    # its DEFAULT_BUFSIZE; names the GET path has: board RAM)
                    io = H1Connection(io, 0)
                    if hasattr(pool, "_evict"):
                        pool._evict(io, None)
                    return io
            else:
                io = await _mhttp_port.open_connection(self.host, self.port, None, None, None,
                                                       _left(deadline))
            return H1Connection(io, 0)     # mhttp.h1.CLIENT, HTTP/1.1
        # TLS, a context or a version: mhttp.client (an HTTP/2 connection goes into the
        # pool there, shared by every request to this origin)
        from mhttp.client import _open
        return await _open(self, blocking, _left(deadline), pool, key)


class ClientStream:
    # The response stream go() returns: the driver's stream (everything not defined here
    # reads through to it) plus the connection pool's bookkeeping.  When the body has
    # been read to the end the connection goes back to the pool if it can carry another
    # request, else it is closed; shutdown() before the end closes it.
    # Board RAM: no subclass of StreamCommon (whose unget would then need an override
    # here, a def): its get_body_as_string is taken below, its other helpers (BODY) are
    # bound by __getattr__, unget reads through to the driver's stream, and shutdown
    # (mhttp._request_more) is bound on first use.

    # The pool the connection goes back to: None for the module's POOL (a class default:
    # a stream of the default pool has two attributes, an instance of 64 B on a board,
    # not 96).
    pool = None

    def __init__(self, stream, pool, key):
        # (pool and key: names MicroPython has interned already; key None once released)
        self.stream = stream
        if pool is not POOL:
            self.pool = pool
        self.key = key
        if _reusable(stream.connection) is True:
            self._release(True)     # no body to read (HEAD, 204, 304, content-length 0)

    # StreamCommon's helpers (BODY), shutdown, and everything else read through to the
    # driver's stream: Request's __getattr__ (one def for both, see there)
    __getattr__ = Request.__getattr__

    # (StreamCommon's, taken as the class is made: no global for its module)
    from mhttp.stream_common import StreamCommon as get_body_as_string
    get_body_as_string = get_body_as_string.get_body_as_string

    async def get_next_chunk(self, timeout=None):
        try:
            c = await self.stream.get_next_chunk(timeout)
        except BaseException:
            self._release(False)
            raise
        if c is None:
            self._release(True)
        return c

    def _release(self, end):
        # end: the body was read to its end (else the exchange was cut short)
        key = self.key
        if key is None:
            return      # released already
        self.key = None
        conn = self.stream.connection
        pool = POOL if self.pool is None else self.pool
        if getattr(conn, "version", 1) == 2:
            # a shared HTTP/2 connection: mhttp._client_h2's (board RAM: an HTTP/1.1
            # client does not carry that code)
            from mhttp._client_h2 import _release
            _release(self, end, conn, pool)
            return
        if end and pool and _reusable(conn) is True:
            # Board RAM: the idle connection does not keep the finished exchange's stream
            # (and the response head it holds) alive until the next request replaces it
            # (H1Connection.new_stream starts the next cycle all the same): ~0.6 KB
            # less live heap between requests, not left among the next one's garbage.
            conn.stream = None
            pool.put(key, conn)
        else:
            if pool and getattr(pool, "value", None) is not None and pool.value[1] is conn:
                pool.value = None   # (no closed connection kept alive by its old entry)
            conn.abort()


def _reusable(conn):
    # True when conn's exchange is over and it can carry another request; False while a
    # response is still being read; None when it cannot be reused.  An HTTP/2 connection
    # is shared: True while it is open and can open another stream.
    if getattr(conn, "closed", False):
        return None
    if getattr(conn, "version", 1) == 2:
        from mhttp._client_h2 import _reusable
        return _reusable(conn)
    p = getattr(conn, "p", None)
    if p is None:
        return None
    if not p.keep_alive or getattr(conn, "_eof", False):
        return None
    if p.our_done and p.their_done:
        # Bytes the server sent past the end of its response (say a body on a 204) would
        # be read as the next response: such a connection is not reused.
        if len(p._buf) > p._pos:
            return None
        return True
    return False


class Pool:
    # Idle keep-alive connections per key (see Request._go), most recent last.
    # At most max_per_key per key and max_total overall; the oldest are closed beyond.
    # count(), close_all() and the eviction beyond the limits (_evict) live in
    # mhttp._request_more (mhttp._lazy).
    # The limits' defaults on the class (set on a pool only when they differ: board RAM,
    # a pool of three attributes is an instance of 96 B, of five 128 B).
    max_per_key = 4
    max_total = 16

    def __init__(self, max_per_key=4, max_total=16):
        if max_per_key != 4:
            self.max_per_key = max_per_key
        if max_total != 16:
            self.max_total = max_total
        self.entries = []  # [(key, conn)], oldest first
        self.reused = 0  # connections handed out again (for tests and benchmarks)
        # The HTTP/1 entry get() handed out last, (key, conn): put() puts that very tuple
        # back when it brings back its connection under an equal key (board RAM: a pooled
        # connection's key and entry are made once, by its first request, not again by
        # every request: made per request they outlived it, objects scattered amid each
        # request's garbage, and a later request found no room for its 288 B coroutine
        # frame).  (A name MicroPython has built in.)
        self.value = None
        # pending, {key: asyncio.Event} for a connection being opened, is made by the
        # first request that waits for one (mhttp._request_more._connect_shared): a
        # blocking client never does (board RAM: a dict and an attribute fewer, 64 B).

    # count, close_all and _evict, bound on first use (Request's __getattr__, see there)
    __getattr__ = Request.__getattr__

    def get(self, key):
        # The most recently idled live connection for key, or None.  Dead ones found on
        # the way (closed, or the server said close) are closed and dropped.
        es = self.entries
        self.value = None
        i = len(es) - 1
        while i >= 0:
            e = es[i]
            if e[0] == key:
                r = _reusable(e[1])
                # HTTP/2: shared while open and under the peer's concurrency limit, so it
                # stays in the pool; an HTTP/1.x connection leaves it, reused or closed.
                h2 = getattr(e[1], "version", 1) == 2
                if r is True and not h2:
                    # An idle HTTP/1.x connection the server wrote to (bytes no request
                    # asked for would be read as the next response: RFC 9112 §9.3,
                    # responses match requests in order) or closed is not reused: a
                    # zero-timeout poll.  (Inline: board RAM, no def.)  Poll mode
                    # (MicroPython's sockets): the I/O object's own poll; else
                    # mhttp._request_more's _stale (CPython's sockets and asyncio).
                    h2 = e[1].io
                    r = getattr(h2, "poll", None)
                    if r is not None:
                        r.modify(h2.raw, 1)         # select.POLLIN
                        for h2 in (r.ipoll(0) if hasattr(r, "ipoll") else r.poll(0)):
                            r = None
                            break
                        else:
                            r = True
                    else:
                        r = None if self._stale(h2) else True
                    h2 = False
                if r is True:
                    if not h2:
                        es.pop(i)
                        self.value = e
                    self.reused += 1
                    return e[1]
                if r is None or not h2:
                    es.pop(i)
                    e[1].abort()
            i -= 1
        return None

    def put(self, key, conn):
        es = self.entries
        e = self.value
        self.value = None
        if e is None or e[1] is not conn or e[0] != key:
            e = (key, conn)
        es.append(e)
        n = 0
        for e in es:
            if e[0] == key:
                n += 1
        if n > self.max_per_key or len(es) > self.max_total:
            self._evict(key, n)     # the oldest beyond the limits (mhttp._request_more)


POOL = Pool()


def new_from_uri(uri, headers=None):
    # A Request for an absolute http(s)/ws(s) URI.  headers: an initial Headers (with
    # :method CONNECT for a CONNECT request, see new_connect); with headers or userinfo
    # in the URI the request is made by mhttp._request_more._new.
    if isinstance(uri, str):
        uri = uri.encode()
    elif not isinstance(uri, bytes):
        uri = bytes(uri)
    i = uri.find(b"#")  # (an int argument: TypeError on MicroPython 1.27)
    if i >= 0:
        uri = uri[:i]   # the fragment is never sent (RFC 9110 §7.1)
    # (scheme, userinfo, host, port, path_and_query, fragment) as bytes, scheme and host
    # lowercased, port the scheme's default when absent, path "/" when empty;
    # ValueError for a URI without a scheme or an authority
    scheme, userinfo, hb, port, path, _ = parse_uri(uri)
    s = scheme.decode()
    if s not in scheme_to_port:    # http, https, ws, wss
        from mhttp._request_more import _err
        raise _err(0, s)    # ValueError: scheme not valid: %r
    host = hb.decode()
    if headers is not None or userinfo is not None:
        from mhttp._request_more import _new
        return _new(s, None if userinfo is None else userinfo.decode(), host, port,
                    path.decode(), headers)
    # the names are lowercase bytes already: no copies made by Headers.append
    from mhttp.headers import Headers
    h = Headers._trusted([(b":method", b"GET", False),
                          (b":authority", to_authority(hb, port, s), False),
                          (b":path", path, False), (b":scheme", scheme, False),
                          (b"user-agent", DEFAULT_USER_AGENT, False)])
    return Request(host, port, scheme_to_port[s] == 443, h)   # https, wss


# CPython: the rare methods bound at import, no __getattr__ on these classes (mhttp._lazy)
_lazy.settle(Request, "mhttp._request_more", _RARE)
_lazy.settle(Pool, "_request_more count close_all _stale;_client_lease _evict", None)
