# mhttp._request_more: the parts of mhttp.request a plain request does not run, loaded on
# first use (see mhttp.request's opening comment for the semantics and for how these
# names are reached):
#   - Request methods (bound by mhttp._lazy through Request.__getattr__): clone, _scheme,
#     to_uri, set_body, handle_redirect, _follow (a redirect during go), _exchange_body
#     (a request with a body: 100-continue, the 417 retry, HTTP/1.0 bodies),
#     _connect_shared (concurrent first requests share an HTTP/2 connection being
#     opened), _failed and _may_resend (the retry on a stale pooled connection);
#   - Pool methods: count, close_all; ClientStream.shutdown;
#   - module names reached through mhttp.request: RedirectError, body_length,
#     body_replayable, new_connect; new_from_uri with initial headers or userinfo (_new).
# Functions below written with `self` first are methods of Request or Pool.
import mhttp.request as _rq   # (its parse_uri, to_authority, scheme_to_port)
from mhttp import errors
from mhttp.headers import Headers
from mhttp.request import Request, ClientStream, Pool, new_from_uri, _left, DEFAULT_USER_AGENT

# (both also reachable as mhttp.request.EXPECT_THRESHOLD / FILE_CHUNK)
EXPECT_THRESHOLD = 1024  # lua-http: bodies larger than this (or unknown) expect 100
FILE_CHUNK = 16384  # bytes read from a file-like body per write

# Request's class-level defaults that only these paths read, bound on the class like
# the methods (mhttp.request._RARE; lua-http keeps them in the metatable).
expect_100_timeout = 1
max_redirects = 5
post301 = False
post302 = False
proxy = None  # placeholder: proxies are a later issue
# The bytes of response go() may hold unread while it still sends the request body, for
# a server that answers as it reads (an echo), or that answers early and closes (a 413).
# None: the default, 4 MiB on CPython, 16 KiB on a board (HTTP/2:
# mhttp._h2_client_more.RESPONSE_BUFFER; HTTP/1.x: mhttp._h1c_upload.RESPONSE_BUFFER).
# Past it the upload stalls and go() raises Timeout saying so.
response_buffer = None


class RedirectError(errors.Error):
    # A redirect that cannot be followed: too many, bad or missing Location, a body
    # that cannot be sent again.
    pass


def _err(n, arg=None):
    # The exceptions of mhttp.request by number, their texts kept out of that module
    # (board RAM: a str constant is a heap object on MicroPython); each raise site quotes
    # its class and text.
    if n == 0:
        return ValueError("scheme not valid: %r" % (arg,))
    return errors.ConnectionClosed("connection closed before a response arrived")


def _modattr(name):
    # mhttp.request's module __getattr__: its names that live here, and __all__.
    import mhttp.request as r
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(r.__dict__, "Headers")
    if name == "Headers":
        from mhttp.headers import Headers as v
    elif name not in "RedirectError body_length body_replayable new_connect EXPECT_THRESHOLD " \
                     "FILE_CHUNK".split():
        raise AttributeError(name)
    else:
        v = globals()[name]
    setattr(r, name, v)     # later lookups are ordinary globals there
    return v


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
        u = _rq.parse_uri((base_scheme + ":" + ref) if relnet else ref)
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


def _basic(userinfo):
    import binascii
    from mhttp.util import decodeURIComponent
    raw = decodeURIComponent(userinfo)
    return b"basic " + binascii.b2a_base64(_b(raw))[:-1]


def _origin(scheme, host, port):
    return (scheme, host.lower(), port)


def _expired(dl):
    # Whether the deadline dl (see mhttp.request._left) has passed.
    if dl is None:
        return False
    from mhttp._io import ticks_ms, ticks_diff
    return ticks_diff(ticks_ms(), dl[0]) >= dl[1] * 1000


def _new(scheme, userinfo, host, port, path, headers):
    # mhttp.request.new_from_uri with initial headers or userinfo in the URI (the parts
    # of the URI as parse_uri gives them).
    if headers is None:
        headers = Headers()
        headers.append(b":method", b"GET")
        is_connect = False
    else:
        if not isinstance(headers, Headers):
            headers = Headers(headers)
        is_connect = headers.get(b":method") == b"CONNECT"
    if is_connect:
        if path != "/":  # parse_uri turns "" into "/"
            raise ValueError("CONNECT requests cannot have a path or query")
        if not headers.has(b":authority"):
            raise ValueError(":authority required for CONNECT requests")
    else:
        if not headers.has(b":method"):
            headers.append(b":method", b"GET")
        headers.upsert(b":authority", _rq.to_authority(host, port, scheme))
        headers.upsert(b":path", path)
        headers.upsert(b":scheme", scheme)
    if userinfo is not None:
        headers.upsert(b"proxy-authorization" if is_connect else b"authorization",
                       _basic(userinfo), True)
    if not headers.has(b"user-agent"):
        headers.append(b"user-agent", DEFAULT_USER_AGENT)
    return Request(host, port, scheme in ("https", "wss"), headers)


def new_connect(uri, connect_authority):
    # A CONNECT request to the proxy at uri for the tunnel target connect_authority.
    h = Headers()
    h.append(b":authority", connect_authority)
    h.append(b":method", b"CONNECT")
    return new_from_uri(uri, h)


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
        # A file is sent from its start whatever its read position (lua-http seeks it
        # there; _BodyReader does), so its length is counted from 0; it is left at 0.
        try:
            end = body.seek(0, 2)
            body.seek(0)
            return end if end is not None and end >= 0 else None
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


async def _write_body(stream, body, dl):
    # Writes a body source as chunks; end_stream rides on the last one.
    r = _BodyReader(body)
    c = r.next_chunk()
    if c is None:
        await stream.write_chunk(b"", True, _left(dl))
        return
    while c is not None:
        nxt = r.next_chunk()
        await stream.write_chunk(c, nxt is None, _left(dl))
        c = nxt


async def _discard(stream, dl, limit=65536):
    # Reads and drops a redirect's body so its connection can be reused; a large one
    # closes the connection instead.
    n = 0
    while True:
        c = await stream.get_next_chunk(_left(dl))
        if c is None:
            return
        n += len(c)
        if n > limit:
            stream.shutdown()
            return


# ---- Request methods ---------------------------------------------------------------

def clone(self):
    r = Request(self.host, self.port, self.tls, self.headers.clone(), self.body)
    d = self.__dict__
    for k in ("ctx", "sendname", "version", "h2c_upgrade", "proxy", "cafile", "verify", "pool",
              "follow_redirects", "expect_100_timeout", "max_redirects", "post301",
              "post302", "timeout", "response_buffer"):
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
            authority = _s(_rq.to_authority(t[2], t[3], t[0]))
            path = t[4] + ("" if t[5] is None else "?" + t[5])
    if authority is None:
        a = headers.get(b":authority")
        if a is None:
            authority = _s(_rq.to_authority(self.host, self.port, scheme))
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


def _resolve(base, rel):
    from mhttp._util_path import resolve_relative_path
    return resolve_relative_path(base, rel)


def _authority(h, a):
    # A redirect's new :authority a.  A host field (mhttp's HTTP/1.1 writes it in place
    # of :authority) was for the old target: it goes when the authority changes (RFC
    # 9110 §7.2: Host is the target URI's authority), so the new one is sent.
    a = _b(a)
    if h.get(b":authority") != a:
        h.delete(b"host")
        h.upsert(b":authority", a)


def handle_redirect(self, orig_headers):
    # A new Request for the Location of this redirect response (lua-http semantics,
    # see mhttp.request's opening comment); raises RedirectError when it cannot be
    # followed.
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
    if "\\" in (host or "") or "\\" in (userinfo or ""):
        # A backslash is not valid in an authority (RFC 3986 §3.2); browsers read it as
        # a "/", so that http://A\@B/ is host A to them and host B to a URI parser:
        # refused rather than guessed.
        raise RedirectError("invalid URI in location header %r: backslash in authority"
                            % location)
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
        new.port = port if port is not None else _rq.scheme_to_port[scheme]
        new.sendname = None
        if not is_connect:
            _authority(h, _rq.to_authority(host, port, scheme))
    elif scheme != old_scheme:
        # same host, other scheme: the port follows the scheme's default unless the
        # old port was explicit (lua-http keeps the old port in that case too)
        if self.port == _rq.scheme_to_port.get(old_scheme):
            new.port = _rq.scheme_to_port[scheme]
        if not is_connect:
            _authority(h, _rq.to_authority(new.host, new.port, scheme))
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
    if _origin(old_scheme, self.host, self.port) != _origin(scheme, new.host, new.port):
        # Credentials are for the origin that asked for them (curl and browsers do
        # the same): dropped on a redirect to another origin, userinfo in the Location
        # or not (which then supplies new ones, below).
        h.delete(b"authorization")
        h.delete(b"cookie")
    if userinfo is not None:
        h.upsert(field, _basic(userinfo), True)
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


async def _follow(self, headers, stream, dl, blocking):
    # go() got a redirect: follow it, and the redirects that follow, while
    # follow_redirects (each request's own), within max_redirects (handle_redirect).
    # The redirect's body is read first, so that its connection can be reused.
    req = self
    if not headers.has(b"location"):
        return headers, stream      # (mhttp.request's _go checked the status only)
    while True:
        try:
            nxt = req.handle_redirect(headers)
        except Exception:
            stream.shutdown()
            raise
        await _discard(stream, dl)
        req = nxt
        headers, stream = await req._go(dl, blocking, None)   # may retry, no redirects
        st = headers.get(b":status")
        if not (req.follow_redirects and st[:1] == b"3" and st != b"304"
                and headers.has(b"location")):
            return headers, stream


_IDEMPOTENT = (b"GET", b"HEAD", b"OPTIONS", b"TRACE", b"PUT", b"DELETE")


def _failed(self, e, t):
    # Request._go's failure path (an HTTP/1 connection is aborted there already), for the
    # exception e; t is (conn, state, reused, follow, deadline, blocking), _go's.  Returns
    # the coroutine that sends the request again on a fresh connection (_go's, without
    # redirects nor another retry), or None.  A shared HTTP/2
    # connection outlives one failed stream; True from mhttp._client_h2's abort: the
    # server did not process the request (RFC 9113 §8.7: refused, or not sent after its
    # GOAWAY), any method may be sent again.  A kept-alive connection the server closed
    # while it sat in the pool: sent again for idempotent methods only (RFC 9112 §9.3.1).
    # Never once a response head arrived (state[0], a request with a body), nor for the
    # retry itself (follow False).  (Here, not in _go: board RAM, a smaller coroutine
    # frame for every exchange.)
    conn = t[0]
    state = t[1]
    if getattr(conn, "version", 1) == 2:
        from mhttp._client_h2 import abort
        if abort(conn, e, self, state):
            e = None
    if (t[3] is not False and not (state and state[0]) and
            (e is None or t[2] and isinstance(e, errors.ConnectionClosed) and
             self._may_resend())):
        return self._go(t[4], t[5], False)
    return None


def _may_resend(self):
    # Whether the request may be sent again on a fresh connection after a kept-alive
    # one turned out closed (RFC 9112 §9.3.1): idempotent, with a replayable body.
    return body_replayable(self.body) and self.headers.get(b":method") in _IDEMPOTENT


async def _exchange_body(self, conn, dl, key, blocking, state):
    # Request._go's exchange for a request with a body: "expect: 100-continue" (the body
    # waits for the interim response up to expect_100_timeout), the 417 retry, HTTP/1.0
    # (no chunked coding: the body is gathered to learn its length).
    headers = self.headers
    body = self.body
    stream = conn.new_stream()
    if self.response_buffer is not None and getattr(conn, "version", 1) == 2:
        stream.response_buffer = self.response_buffer
    if self.version == 1.0 and not headers.has(b"content-length"):
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
    await stream.write_headers(headers, False, _left(dl))
    resp = None
    expecting = False
    e = headers.get(b"expect")
    if e is not None and e.lower() == b"100-continue":
        expecting = True
        wait = self.expect_100_timeout
        left = _left(dl)
        if left is not None and left < wait:
            wait = left
        try:
            resp = await stream.get_headers(wait)
        except errors.Timeout:
            if _expired(dl):
                raise
            resp = None
    body_sent = False
    failed = None
    if resp is None or resp.get(b":status") == b"100":
        resp = None
        state.append(True)  # the body is being read (mhttp._client_h2.abort)
        held = None
        if getattr(conn, "version", 1) != 2:
            # HTTP/1.x: the response read and held while the body goes out (a server that
            # answers as it reads; HTTP/2 holds it its own way, mhttp._h2_client_more)
            from mhttp._h1c_upload import Hold
            held = Hold(conn, self.response_buffer)
        try:
            await _write_body(stream, body, dl)
            body_sent = True
        except errors.H2StreamError:
            # RFC 9113 §8.1: a complete response, then RST_STREAM(NO_ERROR) while the body
            # was being sent: the rest is not wanted, the response stands (read below)
            if stream.reset != (0, True) or not stream.in_done:
                raise
        except errors.Timeout as x:
            if held is not None:
                x = held.why(x)     # past response_buffer: the Timeout says why
            raise x
        except errors.ConnectionClosed as x:
            # HTTP/1.x: the server closed while the body went out, maybe after a final
            # response (a 413 before it read the body): that response is read below
            # (from what was held, then the socket); without one, this error stands.
            if held is None:
                raise
            failed = x
        finally:
            if held is not None:
                held.done()
    while resp is None or (resp.get(b":status")[:1] == b"1" and resp.get(b":status") != b"101"):
        try:
            resp = await stream.get_headers(_left(dl))
        except errors.ConnectionClosed:
            if failed is None:
                raise
            resp = None
        if resp is None:
            if failed is not None:
                raise failed
            raise _err(1)   # ConnectionClosed: connection closed before a response arrived
    state[0] = True
    if not body_sent:
        # A final response came before the body went out: the body is never sent.  An
        # HTTP/1 connection cannot carry another request (closed once the response is
        # read); an HTTP/2 stream ends our side without discarding the response
        # (mhttp._client_h2's early), the connection goes on.
        h2 = getattr(conn, "version", 1) == 2
        retry = resp.get(b":status") == b"417" and expecting and body_replayable(self.body)
        if h2 and not retry:
            from mhttp._client_h2 import early
            early(stream)
        else:
            stream.shutdown()
        if retry:
            # RFC 9110 §10.1.1: repeat the request without the expectation.
            if not h2:
                conn.abort()
            again = self.clone()
            again.headers.delete(b"expect")
            return await again._go(dl, blocking, False)
    # (the pool as _go has it: one argument fewer, a smaller frame for _go)
    return resp, ClientStream(stream, _rq.POOL if self.pool is None else self.pool, key)


async def _connect_shared(self, pool, key, dl):
    # A new connection for key -> (conn, reused), for a connection that may turn out to
    # be HTTP/2 (version 2, or https with ALPN): while one is being opened to an origin,
    # other requests to it wait for that one (within their own time limit) and share it
    # if it is HTTP/2; if it is HTTP/1.1 (or failed) they open their own.  Without this,
    # N concurrent first requests would open N connections.
    pend = getattr(pool, "pending", None)
    if pend is None:
        if not isinstance(pool, Pool):      # a pool of another kind: each its own
            return await self._open(pool, key, dl, False), False
        pend = pool.pending = {}    # (made on first use: see Pool.__init__)
    import asyncio
    ev = pend.get(key)
    if ev is not None:
        left = _left(dl)
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
        return await self._open(pool, key, dl, False), False
    ev = asyncio.Event()
    pend[key] = ev
    try:
        return await self._open(pool, key, dl, False), False
    finally:
        if pend.get(key) is ev:
            del pend[key]
        ev.set()


# ---- ClientStream ----------------------------------------------------------------

def shutdown(self):
    # ClientStream.shutdown (bound on first use, see mhttp.request.ClientStream): closes
    # the exchange before the end of the body (the connection is not reused).
    self.stream.shutdown()
    self._release(False)


# ---- Pool methods ------------------------------------------------------------------

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


def _stale(self, io):
    # Pool.get's check of an idle HTTP/1.x connection's I/O object that has no poll mode
    # (CPython's sockets, asyncio streams): True when the server wrote to it or closed it
    # while it sat in the pool (a zero-timeout select; bytes an asyncio reader holds
    # already count as well).  False when nothing tells (no select module, as on some
    # CircuitPython builds, or no poll).
    r = getattr(io, "reader", None)
    if r is not None:
        if getattr(r, "_buffer", None) or (hasattr(r, "at_eof") and r.at_eof()):
            return True
        s = getattr(r, "s", None)       # MicroPython's asyncio Stream: its socket
        if s is None:
            try:
                s = io.writer.get_extra_info("socket")     # CPython's
            except Exception:
                s = None
    else:
        s = getattr(io, "sock", None)
        if hasattr(s, "pending") and s.pending():
            return True     # (ssl: decrypted bytes waiting)
    if s is None:
        return False
    try:
        import select
        if hasattr(select, "select"):
            return bool(select.select([s], [], [], 0)[0])
        p = select.poll()
        p.register(s, select.POLLIN)
        return bool(p.poll(0))
    except (ImportError, AttributeError, OSError, ValueError, TypeError):
        return False


def _evict(self, key, n):
    # Pool.put beyond the limits (n: the entries for key, the new one included): closes
    # the oldest for key while over max_per_key, then the oldest overall while over
    # max_total.  (Pool's _evict is mhttp._client_lease's, which calls this one.)
    es = self.entries
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
