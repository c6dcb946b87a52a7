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
# `run_blocking(self._go(timeout, True))`: the very same coroutine, run on blocking I/O
# objects where it never suspends.  The stream it returns is wrapped in BlockingStream,
# a generic proxy whose methods run the wrapped stream's coroutine methods through
# run_blocking; no stream method is written twice.
#
# Semantics (lua-http http.request, with the differences marked *):
#   - new_from_uri: :method GET, :authority from host/port (default port omitted),
#     :path "/" when empty, userinfo -> "authorization: basic ...", a user-agent.
#   - set_body: bytes/str -> content-length; a file-like (.read) -> content-length when
#     its size can be found (seek/tell), else chunked; an iterable, iterator or callable
#     (lua-http's "function": called until it returns None) -> chunked.  Bodies larger
#     than 1024 bytes or of unknown length also get "expect: 100-continue" (as lua-http).
#   - go: with "expect: 100-continue" the body waits up to expect_100_timeout seconds for
#     the interim response, then is sent anyway; a final response that arrives first
#     means the body is not sent (and the connection is not reused).  * A 417 to a
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
#     unless the Location carries its own userinfo.
#   - keep-alive: connections are pooled per (scheme, host, port, TLS settings, version,
#     I/O model); a connection goes back to the pool once its response has been read to
#     the end with keep-alive; a stream that was not read to the end is never reused
#     (stream.shutdown() closes its connection).  An HTTP/2 connection is shared by every
#     request to its origin; concurrent first requests wait for the one connection being
#     opened (Request._connect) instead of each opening their own.
#   - proxy is a placeholder (proxies are a later issue).
# mhttp._uri: the URI helpers of mhttp.util every request needs (the rest of mhttp.util
# is imported where it is used: userinfo escaping, relative redirects).
import mhttp._uri as util
from mhttp import errors
from mhttp.headers import Headers
from mhttp.stream_common import StreamCommon

DEFAULT_USER_AGENT = b"mhttp/0.1"
EXPECT_THRESHOLD = 1024  # lua-http: bodies larger than this (or unknown) expect 100
FILE_CHUNK = 16384  # bytes read from a file-like body per write


class RedirectError(errors.Error):
    # A redirect that cannot be followed: too many, bad or missing Location, a body
    # that cannot be sent again.
    pass


def _s(x):
    if x is None or isinstance(x, str):
        return x
    return bytes(x).decode()


def _b(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode()
    return bytes(x)


# ---- URI references -------------------------------------------------------------

def _split_ref(ref, base_scheme="http"):
    # A URI reference (RFC 3986 §4.1) as (scheme, userinfo, host, port, path, query);
    # absent parts are None.  Absolute URIs and network-path references go through
    # mhttp.util.parse_uri; the fragment is dropped (never sent, RFC 9110 §7.1).
    ref = _s(ref)
    i = ref.find("#")
    if i >= 0:
        ref = ref[:i]
    if _has_scheme(ref) or ref[:2] == "//":
        relnet = ref[:2] == "//"
        u = util.parse_uri((base_scheme + ":" + ref) if relnet else ref)
        scheme, userinfo, host, port, pq = _s(u[0]), _s(u[1]), _s(u[2]), u[3], _s(u[4])
        if relnet:
            scheme = None
        if port is not None:
            port = int(port)
        path, query = _split_pq(pq)
        return scheme, userinfo, host, port, path, query
    path, query = _split_pq(ref)
    return None, None, None, None, path, query


def _has_scheme(ref):
    # scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ":"
    i = ref.find(":")
    if i <= 0:
        return False
    c = ref[0]
    if not ("a" <= c <= "z" or "A" <= c <= "Z"):
        return False
    for c in ref[1:i]:
        if not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9" or c in "+-."):
            return False
    return True


def _split_pq(pq):
    if pq is None:
        return "", None
    i = pq.find("?")
    if i < 0:
        return pq, None
    return pq[:i], pq[i + 1:]


def _resolve(base, rel):
    from mhttp.util import resolve_relative_path
    return resolve_relative_path(base, rel)


def _basic(userinfo):
    import binascii
    from mhttp.util import decodeURIComponent
    raw = decodeURIComponent(userinfo)
    return b"basic " + binascii.b2a_base64(_b(raw))[:-1]


def _origin(scheme, host, port):
    return (scheme, host.lower(), port)


# ---- body sources ----------------------------------------------------------------

def body_length(body):
    # The length of a body source when known without consuming it, else None.
    if body is None:
        return 0
    if isinstance(body, (bytes, bytearray, memoryview)):
        return len(body)
    if isinstance(body, str):
        return len(body.encode())
    if hasattr(body, "read"):
        try:
            start = body.seek(0, 1)
            end = body.seek(0, 2)
            body.seek(start, 0)
            if start is None or end is None:  # some streams return None
                start = body.tell()
                return None
            return end - start
        except Exception:
            return None
    return None


def body_replayable(body):
    # Whether the body can be produced again (for a 307/308 redirect or a 417 retry).
    if body is None or isinstance(body, (bytes, bytearray, memoryview, str, list, tuple)):
        return True
    if hasattr(body, "read"):
        return hasattr(body, "seek")
    return False


class _BodyReader:
    # Iterates a body source as bytes chunks (never empty ones).
    #   bytes-like/str: one chunk; file-like: read(FILE_CHUNK) from its start (lua-http
    #   seeks files to the start, which makes redirects and retries resend it whole);
    #   callable: called until it returns None (or b""); iterable: its items.

    def __init__(self, body, chunk=FILE_CHUNK):
        self.body = body
        self.chunk = chunk
        self.it = None
        self.done = False
        if isinstance(body, (bytes, bytearray, memoryview, str)):
            pass
        elif hasattr(body, "read"):
            if hasattr(body, "seek"):
                try:
                    body.seek(0)
                except Exception:
                    pass
        elif callable(body):
            pass
        else:
            self.it = iter(body)

    def next_chunk(self):
        # The next non-empty bytes chunk, or None at the end.
        while not self.done:
            b = self.body
            if isinstance(b, (bytes, bytearray, memoryview, str)):
                self.done = True
                c = b
            elif hasattr(b, "read"):
                c = b.read(self.chunk)
                if not c:
                    self.done = True
                    return None
            elif self.it is not None:
                try:
                    c = next(self.it)
                except StopIteration:
                    self.done = True
                    return None
            else:
                c = b()
                if c is None:
                    self.done = True
                    return None
            if isinstance(c, str):
                c = c.encode()
            elif not isinstance(c, (bytes, bytearray, memoryview)):
                raise TypeError("request body chunks must be bytes or str, not %s" % type(c).__name__)
            if len(c):
                return c
        return None


# ---- the request object ----------------------------------------------------------

class Request:
    # Class-level defaults (lua-http keeps them in the metatable).
    follow_redirects = True
    expect_100_timeout = 1
    max_redirects = 5
    post301 = False
    post302 = False
    version = None  # None: h2 if the server agrees by ALPN (TLS, CPython), else 1.1; 2: HTTP/2
    h2c_upgrade = False  # version=2 on http://: Upgrade: h2c first instead of prior knowledge
    proxy = None  # placeholder: proxies are a later issue
    ctx = None  # an ssl.SSLContext (or port equivalent); None: the default client context
    sendname = None  # SNI name; None: the host; False: none
    h2_settings = None
    cafile = None  # a CA bundle for the default context (MicroPython needs one)
    verify = True  # False: no certificate verification (curl -k)
    pool = None  # None: the module's POOL; False: never reuse connections

    def __init__(self, host, port, tls, headers, body=None):
        self.host = host
        self.port = port
        self.tls = tls
        self.headers = headers
        self.body = body

    def clone(self):
        r = Request(self.host, self.port, self.tls, self.headers.clone(), self.body)
        d = self.__dict__
        for k in ("ctx", "sendname", "version", "h2c_upgrade", "proxy", "cafile", "verify", "pool",
                  "follow_redirects", "expect_100_timeout", "max_redirects", "post301",
                  "post302", "timeout"):
            if k in d:
                setattr(r, k, d[k])
        if "h2_settings" in d:
            h = d["h2_settings"]
            setattr(r, "h2_settings", dict(h) if isinstance(h, dict) else h)
        return r

    def _scheme(self):
        s = self.headers.get(b":scheme")
        if s is None:
            return "https" if self.tls else "http"
        return _s(s)

    def to_uri(self, with_userinfo=False):
        headers = self.headers
        scheme = self._scheme()
        method = headers.get(b":method")
        authority = None
        if method == b"CONNECT":
            field = b"proxy-authorization"
            path = ""
        else:
            field = b"authorization"
            path = _s(headers.get(b":path", b"/"))
            if method == b"OPTIONS" and path == "*":
                path = ""
            elif _has_scheme(path):
                # absolute-form target (a proxied request)
                t = _split_ref(path)
                scheme = t[0]
                authority = _s(util.to_authority(t[2], t[3], t[0]))
                path = t[4] + ("" if t[5] is None else "?" + t[5])
        if authority is None:
            a = headers.get(b":authority")
            if a is None:
                authority = _s(util.to_authority(self.host, self.port, scheme))
            else:
                authority = _s(a)
        if with_userinfo and headers.has(field):
            v = headers.get(field).strip()
            sp = v.find(b" ")
            if sp < 0 or v[:sp].lower() != b"basic":
                raise ValueError("authorization cannot be converted into uri userinfo")
            import binascii
            userinfo = binascii.a2b_base64(v[sp + 1:].strip())
            # each of user and password escaped on its own, so "@" and ":" inside them
            # survive (lua-http's encodeURI would leave them bare)
            u, c, pw = _s(userinfo).partition(":")
            from mhttp.util import encodeURIComponent
            ui = encodeURIComponent(u)
            if c:
                ui = ui + ":" + encodeURIComponent(pw)
            authority = ui + "@" + authority
        return scheme + "://" + authority + path

    def set_body(self, body):
        # bytes, str, a file-like object (.read), an iterable/iterator of chunks or a
        # callable returning chunks then None; None removes the body.
        h = self.headers
        if body is None:
            self.body = None
            h.delete(b"content-length")
            h.delete(b"expect")
            return
        if isinstance(body, str):
            body = body.encode()
        self.body = body
        n = body_length(body)
        h.delete(b"transfer-encoding")
        if n is not None:
            h.upsert(b"content-length", b"%d" % n)
        else:
            h.delete(b"content-length")
        if n is None or n > EXPECT_THRESHOLD:
            h.upsert(b"expect", b"100-continue")
        else:
            h.delete(b"expect")

    def handle_redirect(self, orig_headers):
        # A new Request for the Location of this redirect response (lua-http semantics,
        # see the module comment); raises RedirectError when it cannot be followed.
        if self.max_redirects <= 0:
            raise RedirectError("maximum redirects exceeded")
        location = orig_headers.get(b"location")
        if location is None:
            raise RedirectError("missing location header for redirect")
        location = location.strip()
        try:
            loc = _split_ref(location, self._scheme())
        except Exception as e:
            raise RedirectError("invalid URI in location header %r: %s" % (location, e))
        scheme, userinfo, host, port, path, query = loc
        new = self.clone()
        new.max_redirects = self.max_redirects - 1
        h = new.headers
        method = h.get(b":method")
        is_connect = method == b"CONNECT"
        old_scheme = self._scheme()
        if scheme is not None:
            scheme = scheme.lower()
            if scheme not in ("http", "https", "ws", "wss"):
                raise RedirectError("cannot follow a redirect to scheme %r" % scheme)
            if not is_connect:
                h.upsert(b":scheme", scheme)
            new.tls = scheme in ("https", "wss")
            if new.tls and self.tls and self.ctx is not None:
                new.ctx = self.ctx
        else:
            scheme = old_scheme
        if host is not None:
            if host == "":
                raise RedirectError("invalid URI in location header %r: empty host" % location)
            new.host = host
            new.port = port if port is not None else util.scheme_to_port[scheme]
            new.sendname = None
            if not is_connect:
                h.upsert(b":authority", util.to_authority(host, port, scheme))
        elif scheme != old_scheme:
            # same host, other scheme: the port follows the scheme's default unless the
            # old port was explicit (lua-http keeps the old port in that case too)
            if self.port == util.scheme_to_port.get(old_scheme):
                new.port = util.scheme_to_port[scheme]
            if not is_connect:
                h.upsert(b":authority", util.to_authority(new.host, new.port, scheme))
        if is_connect:
            if path not in ("", "/") or query is not None:  # parse_uri turns "" into "/"
                raise RedirectError("CONNECT requests cannot have a path or query")
        else:
            if path == "":
                # RFC 3986 §5.2.2: an empty path keeps the base path (and its query
                # when the reference has none)
                base_path, base_query = _split_pq(_s(self.headers.get(b":path", b"/")))
                if host is not None:
                    new_path = "/"
                else:
                    new_path = base_path or "/"
                    if query is None:
                        query = base_query
            elif path[:1] == "/":
                new_path = _resolve("/", path)
            else:
                base_path = _split_pq(_s(self.headers.get(b":path", b"/")))[0]
                if base_path[:1] != "/":
                    raise RedirectError("base path not valid for relative redirect")
                new_path = _resolve(base_path, path)
            if query is not None:
                new_path = new_path + "?" + query
            h.upsert(b":path", new_path)
        field = b"proxy-authorization" if is_connect else b"authorization"
        if userinfo is not None:
            h.upsert(field, _basic(userinfo), True)
        elif _origin(old_scheme, self.host, self.port) != _origin(scheme, new.host, new.port):
            # Credentials are for the origin that asked for them (curl and browsers do
            # the same).
            h.delete(b"authorization")
            h.delete(b"cookie")
        if self.tls and not new.tls:
            # RFC 9110 §10.1.3: no Referer from a secure page on an insecure request.
            h.delete(b"referer")
        else:
            h.upsert(b"referer", self.to_uri(False))
        status = orig_headers.get(b":status")
        to_get = False
        if status == b"303":
            to_get = method != b"GET" and method != b"HEAD"
        elif method == b"POST":
            to_get = (status == b"301" and not self.post301) or (status == b"302" and not self.post302)
        if to_get:
            h.upsert(b":method", b"GET")
            for n in (b"transfer-encoding", b"content-length", b"content-encoding",
                      b"content-language", b"content-location", b"content-type"):
                h.delete(n)
            e = h.get(b"expect")
            if e is not None and e.lower() == b"100-continue":
                h.delete(b"expect")
            new.body = None
        elif new.body is not None and not body_replayable(new.body):
            raise RedirectError("redirect %s needs the request body again, but it was a "
                                "one-shot iterator" % _s(status))
        return new

    # -- sending --------------------------------------------------------------

    def _pool_key(self, blocking):
        ctx = self.ctx
        return ("https" if self.tls else "http", self.host.lower(), self.port,
                None if ctx is None else id(ctx), self.cafile, self.verify,
                self.sendname, self.version, True if blocking else _loop_id())

    def _connect_options(self, blocking):
        return {
            "host": self.host, "port": self.port, "tls": bool(self.tls), "ctx": self.ctx,
            "sendname": self.sendname, "version": self.version, "cafile": self.cafile,
            "verify": self.verify, "h2_settings": self.h2_settings, "blocking": blocking,
            "h2c_upgrade": self.h2c_upgrade,
        }

    async def go(self, timeout=None):
        # Sends the request (following redirects) and returns (headers, stream).
        return await self._go(timeout, False)

    def go_blocking(self, timeout=None):
        # go() on blocking sockets: the same coroutine, run by mhttp._io.run_blocking.
        # The stream is wrapped in mhttp.blocking.Blocking (its methods block).
        from mhttp._io import run_blocking
        from mhttp.blocking import Blocking
        headers, stream = run_blocking(self._go(timeout, True))
        return headers, Blocking(stream)

    async def _go(self, timeout, blocking):
        dl = _Deadline(timeout)
        req = self
        while True:
            headers, stream = await req._go_once(dl, blocking, True)
            status = headers.get(b":status")
            if (req.follow_redirects and status[:1] == b"3" and status != b"304"
                    and headers.has(b"location")):
                try:
                    nxt = req.handle_redirect(headers)
                except Exception:
                    stream.shutdown()
                    raise
                await _discard(stream, dl)
                req = nxt
                continue
            return headers, stream

    async def _go_once(self, dl, blocking, may_retry):
        import mhttp.client as client
        pool = POOL if self.pool is None else self.pool
        key = self._pool_key(blocking)
        conn = pool.get(key) if pool else None
        reused = conn is not None
        if conn is None:
            conn, reused = await self._connect(client, pool, key, dl, blocking)
        state = [False]  # a response head arrived
        try:
            return await self._exchange(conn, dl, key, pool, blocking, state)
        except errors.H2StreamError:
            raise                       # one stream failed; the connection goes on
        except errors.ConnectionClosed:
            conn.abort()
            # A kept-alive connection the server closed while it sat in the pool: send
            # again on a fresh one, for idempotent methods only (RFC 9112 §9.3.1).
            if (reused and may_retry and not state[0] and body_replayable(self.body)
                    and self.headers.get(b":method") in _IDEMPOTENT):
                return await self._go_once(dl, blocking, False)
            raise
        except BaseException:
            if getattr(conn, "version", 1.1) != 2 or conn.error is not None:
                conn.abort()    # a shared HTTP/2 connection outlives one failed request
            raise

    async def _connect(self, client, pool, key, dl, blocking):
        # A new connection for key -> (conn, reused).  While a connection that may turn
        # out to be HTTP/2 (version 2, or https with ALPN) is being opened to an origin,
        # other requests to it wait for that one (within their own time limit) and share
        # it if it is HTTP/2; if it is HTTP/1.1 (or failed) they open their own.  Without
        # this, N concurrent first requests would open N connections.
        pend = getattr(pool, "pending", None) if pool else None
        if pend is None or blocking or not (self.version == 2 or
                                            (self.tls and self.version is None)):
            return await self._open(client, pool, key, dl, blocking), False
        import asyncio
        ev = pend.get(key)
        if ev is not None:
            left = dl.left()
            try:
                if left is None:
                    await ev.wait()
                else:
                    await asyncio.wait_for(ev.wait(), left)
            except asyncio.TimeoutError:
                raise errors.Timeout("timed out waiting for the connection being opened "
                                     "to %s" % _s(self.host))
            conn = pool.get(key)
            if conn is not None:
                return conn, True
            return await self._open(client, pool, key, dl, blocking), False
        ev = asyncio.Event()
        pend[key] = ev
        try:
            return await self._open(client, pool, key, dl, blocking), False
        finally:
            if pend.get(key) is ev:
                del pend[key]
            ev.set()

    async def _open(self, client, pool, key, dl, blocking):
        conn = await client.connect(self._connect_options(blocking), dl.left())
        if getattr(conn, "version", 1.1) == 2 and pool:
            pool.put(key, conn)     # shared by every request to this origin
        return conn

    async def _exchange(self, conn, dl, key, pool, blocking, state):
        headers = self.headers
        body = self.body
        stream = conn.new_stream()
        if body is not None and self.version == 1.0 and not headers.has(b"content-length"):
            # HTTP/1.0 has no chunked coding: the body is gathered to learn its length.
            r = _BodyReader(body)
            parts = []
            while True:
                c = r.next_chunk()
                if c is None:
                    break
                parts.append(bytes(c))
            body = b"".join(parts)
            headers = headers.clone()
            headers.upsert(b"content-length", b"%d" % len(body))
        await stream.write_headers(headers, body is None, dl.left())
        resp = None
        body_sent = body is None
        expecting = False
        if body is not None:
            e = headers.get(b"expect")
            if e is not None and e.lower() == b"100-continue":
                expecting = True
                wait = self.expect_100_timeout
                left = dl.left()
                if left is not None and left < wait:
                    wait = left
                try:
                    resp = await stream.get_headers(wait)
                except errors.Timeout:
                    if dl.expired():
                        raise
                    resp = None
            if resp is None or resp.get(b":status") == b"100":
                resp = None
                await _write_body(stream, body, dl)
                body_sent = True
        while resp is None or _interim(resp.get(b":status")):
            resp = await stream.get_headers(dl.left())
            if resp is None:
                raise errors.ConnectionClosed("connection closed before a response arrived")
        state[0] = True
        status = resp.get(b":status")
        if not body_sent:
            # A final response came before the body went out: the body is never sent, so
            # the connection cannot carry another request.
            stream.shutdown()
            if status == b"417" and expecting and body_replayable(self.body):
                # RFC 9110 §10.1.1: repeat the request without the expectation.
                conn.abort()
                again = self.clone()
                again.headers.delete(b"expect")
                return await again._go_once(dl, blocking, False)
        cs = ClientStream(stream, pool, key)
        cs._check_done()
        return resp, cs


def _loop_id():
    # asyncio connections belong to the loop they were opened on (CPython may run
    # several loops one after another; MicroPython has one).
    try:
        import asyncio
        return id(asyncio.get_running_loop())
    except Exception:
        return 0


_IDEMPOTENT = (b"GET", b"HEAD", b"OPTIONS", b"TRACE", b"PUT", b"DELETE")


class ClientStream(StreamCommon):
    # The response stream go() returns: the driver's stream (everything not defined here
    # reads through to it) plus the connection pool's bookkeeping.  When the body has
    # been read to the end the connection goes back to the pool if it can carry another
    # request, else it is closed; shutdown() before the end closes it.

    def __init__(self, stream, pool, key):
        self.stream = stream
        self._pool = pool
        self._key = key
        self._released = False

    def __getattr__(self, name):
        return getattr(self.stream, name)

    @property
    def connection(self):
        return self.stream.connection

    async def get_headers(self, timeout=None):
        return await self.stream.get_headers(timeout)

    async def get_next_chunk(self, timeout=None):
        try:
            c = await self.stream.get_next_chunk(timeout)
        except BaseException:
            self._release(False)
            raise
        if c is None:
            self._release(True)
        return c

    def unget(self, chunk):
        self.stream.unget(chunk)

    async def write_headers(self, headers, end_stream=False, timeout=None):
        await self.stream.write_headers(headers, end_stream, timeout)

    async def write_chunk(self, data, end_stream=False, timeout=None):
        await self.stream.write_chunk(data, end_stream, timeout)

    def shutdown(self):
        self.stream.shutdown()
        self._release(False)

    def _check_done(self):
        # No body to read (HEAD, 204, 304, content-length 0): release now.
        if _reusable(self.stream.connection) is True:
            self._release(True)

    def _release(self, ok):
        if self._released:
            return
        self._released = True
        conn = self.stream.connection
        if getattr(conn, "version", 1.1) == 2:
            if not ok:
                self.stream.shutdown()  # RST_STREAM; the shared connection stays
            return
        if ok and self._pool and _reusable(conn) is True:
            self._pool.put(self._key, conn)
        else:
            conn.abort()


async def _discard(stream, dl, limit=65536):
    # Reads and drops a redirect's body so its connection can be reused; a large one
    # closes the connection instead.
    n = 0
    while True:
        c = await stream.get_next_chunk(dl.left())
        if c is None:
            return
        n += len(c)
        if n > limit:
            stream.shutdown()
            return


async def _write_body(stream, body, dl):
    # Writes a body source as chunks; end_stream rides on the last one.
    r = _BodyReader(body)
    c = r.next_chunk()
    if c is None:
        await stream.write_chunk(b"", True, dl.left())
        return
    while c is not None:
        nxt = r.next_chunk()
        await stream.write_chunk(c, nxt is None, dl.left())
        c = nxt


def _reusable(conn):
    # True when conn's exchange is over and it can carry another request; False while a
    # response is still being read; None when it cannot be reused.  An HTTP/2 connection
    # is shared: True while it is open and can open another stream.
    if getattr(conn, "closed", False):
        return None
    if getattr(conn, "version", 1.1) == 2:
        if conn.error is not None or conn.goaway is not None:
            return None
        return True if conn.can_open_stream() else False
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


class _Deadline:
    # A time limit for a whole operation (None: none), on the port's ms ticks.
    def __init__(self, timeout):
        self.timeout = timeout
        if timeout is not None:
            from mhttp._io import ticks_ms
            self.start = ticks_ms()

    def left(self):
        if self.timeout is None:
            return None
        from mhttp._io import ticks_ms, ticks_diff
        t = self.timeout - ticks_diff(ticks_ms(), self.start) / 1000
        return t if t > 0 else 0.001

    def expired(self):
        if self.timeout is None:
            return False
        from mhttp._io import ticks_ms, ticks_diff
        return ticks_diff(ticks_ms(), self.start) >= self.timeout * 1000


class Pool:
    # Idle keep-alive connections per key (see Request._pool_key), most recent last.
    # At most max_per_key per key and max_total overall; the oldest are closed beyond.

    def __init__(self, max_per_key=4, max_total=16):
        self.max_per_key = max_per_key
        self.max_total = max_total
        self.entries = []  # [(key, conn)], oldest first
        self.reused = 0  # connections handed out again (for tests and benchmarks)
        self.pending = {}  # key -> asyncio.Event: a connection being opened (Request._connect)

    def get(self, key):
        # The most recently idled live connection for key, or None.  Dead ones found on
        # the way (closed, or the server said close) are closed and dropped.
        es = self.entries
        i = len(es) - 1
        while i >= 0:
            e = es[i]
            if e[0] == key:
                if getattr(e[1], "version", 1.1) == 2:
                    # HTTP/2: shared while open and under the peer's concurrency limit
                    r = _reusable(e[1])
                    if r is True:
                        self.reused += 1
                        return e[1]
                    if r is None:
                        es.pop(i)
                        e[1].abort()
                    i -= 1
                    continue
                es.pop(i)
                if _reusable(e[1]) is True:
                    self.reused += 1
                    return e[1]
                e[1].abort()
            i -= 1
        return None

    def put(self, key, conn):
        es = self.entries
        es.append((key, conn))
        n = 0
        for e in es:
            if e[0] == key:
                n += 1
        while n > self.max_per_key or len(es) > self.max_total:
            victim = None
            for e in es:
                if n > self.max_per_key:
                    if e[0] == key:
                        victim = e
                        break
                else:
                    victim = e
                    break
            es.remove(victim)
            if victim[0] == key:
                n -= 1
            victim[1].abort()

    def count(self, key=None):
        if key is None:
            return len(self.entries)
        n = 0
        for e in self.entries:
            if e[0] == key:
                n += 1
        return n

    def close_all(self):
        es = self.entries
        self.entries = []
        for e in es:
            e[1].abort()


POOL = Pool()


def _interim(status):
    # 1xx other than 101 (which is final: the connection changes protocols)
    return status[:1] == b"1" and status != b"101"


def new_from_uri(uri, headers=None):
    # A Request for an absolute http(s)/ws(s) URI.  headers: an initial Headers (with
    # :method CONNECT for a CONNECT request, see new_connect).
    scheme, userinfo, host, port, path, query = _split_ref(uri)
    if scheme is None:
        raise ValueError("URI missing scheme: %r" % (uri,))
    scheme = scheme.lower()
    if scheme not in ("http", "https", "ws", "wss"):
        raise ValueError("scheme not valid: %r" % (scheme,))
    if not host:
        raise ValueError("URI must include a host: %r" % (uri,))
    if port is None:
        port = util.scheme_to_port[scheme]
    if headers is None:
        headers = Headers()
        headers.append(b":method", b"GET")
        is_connect = False
    else:
        if not isinstance(headers, Headers):
            headers = Headers(headers)
        is_connect = headers.get(b":method") == b"CONNECT"
    if is_connect:
        if path not in ("", "/") or query is not None:  # parse_uri turns "" into "/"
            raise ValueError("CONNECT requests cannot have a path or query")
        if not headers.has(b":authority"):
            raise ValueError(":authority required for CONNECT requests")
    else:
        if not headers.has(b":method"):
            headers.append(b":method", b"GET")
        headers.upsert(b":authority", util.to_authority(host, port, scheme))
        if path == "":
            path = "/"
        if query is not None:
            path = path + "?" + query
        headers.upsert(b":path", path)
        headers.upsert(b":scheme", scheme)
    if userinfo is not None:
        headers.upsert(b"proxy-authorization" if is_connect else b"authorization", _basic(userinfo), True)
    if not headers.has(b"user-agent"):
        headers.append(b"user-agent", DEFAULT_USER_AGENT)
    return Request(host, port, scheme in ("https", "wss"), headers)


def new_connect(uri, connect_authority):
    # A CONNECT request to the proxy at uri for the tunnel target connect_authority.
    h = Headers()
    h.append(b":authority", connect_authority)
    h.append(b":method", b"CONNECT")
    return new_from_uri(uri, h)
