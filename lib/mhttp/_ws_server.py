# mhttp._ws_server: the server half of the WebSocket opening handshake, loaded on first use
# (a client never needs it: board RAM, docs/internals.md).
#   mhttp.ws:        server_handshake, _valid_key, PerMessageDeflate.accept
#   mhttp.websocket: WebSocket.accept, new_from_stream, reject
# (and HandshakeError, from mhttp._ws_hserr: on MicroPython through this module's
# __getattr__, loaded when a handshake is refused; board RAM: a server that only accepts
# does not load it)
# mhttp.ws and mhttp.websocket keep every public name: a module-level __getattr__ (PEP 562)
# gives these on first access, WebSocket binds `accept` with mhttp._lazy.bind and
# PerMessageDeflate.accept calls pmd_accept.  The functions are written as in their public module (methods take
# `self`).
from mhttp.errors import Error, ProtocolError
from mhttp.ws import PerMessageDeflate, MICROPYTHON, DEFAULT_WINDOW_BITS, _mp_deflate_compress
from mhttp._ws_hs import _wbits, _list, _bb, _b64, _parse_extensions, accept_key

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.websocket's ready_state values (test_ws_lazy.test_ready_state_names compares them)
_CONNECTING = const(0)
_CLOSED = const(3)


if MICROPYTHON:
    def __getattr__(name):
        if name == "HandshakeError":
            from mhttp._ws_hserr import HandshakeError
            return HandshakeError
        raise AttributeError(name)
else:
    from mhttp._ws_hserr import HandshakeError  # noqa: F401 (a plain global on CPython)


def _hse(msg, status_hint, headers=None):
    # HandshakeError(msg, status_hint, headers); mhttp._ws_hserr is loaded here
    from mhttp._ws_hserr import HandshakeError
    return HandshakeError(msg, status_hint, headers)


def _valid_key(key):
    # Strict: 24 characters that decode to 16 bytes and re-encode to themselves
    # (CPython's a2b_base64 skips characters outside the alphabet).
    if key is None or len(key) != 24:
        return False
    import binascii
    try:
        raw = binascii.a2b_base64(key)
    except ValueError:
        return False
    return len(raw) == 16 and _b64(raw) == key


def server_handshake(request, subprotocols=None, pmd=None):
    # Server: checks a request head (Headers with pseudo-headers, from h1 or h2) and
    # returns (response Headers, chosen subprotocol or None, extensions list for
    # WSProtocol).  The response is 101 with Sec-WebSocket-Accept over HTTP/1.1, or 200
    # for RFC 8441 extended CONNECT over HTTP/2.  Subprotocol: the first of ours (in our
    # order of preference) that the client offered.  pmd: a PerMessageDeflate policy or
    # None to refuse compression.  Raises HandshakeError(msg, status_hint, headers).
    from mhttp.headers import Headers
    method = request.get(":method")
    h2 = method == b"CONNECT"
    if h2:
        if request.get(":protocol") != b"websocket":
            raise _hse("RFC 8441: extended CONNECT needs :protocol websocket", 400)
    else:
        if method != b"GET":
            raise _hse("§4.2.1: the method of the request MUST be GET", 400)
        if b"websocket" not in _list(request, "upgrade", True):
            raise _hse("§4.2.1: an Upgrade header field containing \"websocket\" is required", 400)
        if b"upgrade" not in _list(request, "connection", True):
            raise _hse("§4.2.1: a Connection header field containing \"Upgrade\" is required", 400)
        cl = request.get("content-length")
        if request.get("transfer-encoding") is not None or cl and cl.strip(b"0"):
            # An HTTP/1.1 request with a body: the new protocol would begin after that
            # body (RFC 9110 §7.8, RFC 9112 §6.3), which nothing reads before the 101
            # (the connection would parse it as frames).  A client has no reason to send
            # one: refused, and the connection closed (no body to drain).
            raise _hse("RFC 9110 §7.8: a request body before the switch to WebSocket", 400,
                       [(b"connection", b"close")])
    if request.get(":authority") is None and request.get("host") is None:
        raise _hse("§4.1: the request MUST contain a Host header field", 400)
    versions = request.get_as_sequence("sec-websocket-version")
    if versions != [b"13"]:
        raise _hse("§4.4: Sec-WebSocket-Version must be 13", 426,
                  [(b"sec-websocket-version", b"13")])
    key = None
    if not h2:
        keys = request.get_as_sequence("sec-websocket-key")
        if len(keys) != 1 or not _valid_key(keys[0].strip()):
            raise _hse("§4.2.1: Sec-WebSocket-Key must be the base64 of 16 bytes", 400)
        key = keys[0].strip()
    chosen = None
    if subprotocols:
        offered = _list(request, "sec-websocket-protocol")
        for s in subprotocols:
            s = _bb(s)
            if s in offered:
                chosen = s
                break
    exts = []
    ext_value = None
    if pmd is not None:
        for name, params in _parse_extensions(request.get_as_sequence("sec-websocket-extensions")):
            if name != PerMessageDeflate.name:
                continue
            r = pmd.accept(params)
            if r is not None:
                ext_value, neg = r
                exts.append(neg)
                break
    h = Headers()
    if h2:
        h.append(":status", b"200")
    else:
        h.append(":status", b"101")
        h.append("upgrade", b"websocket")
        h.append("connection", b"Upgrade")
        h.append("sec-websocket-accept", accept_key(key))
    if chosen is not None:
        h.append("sec-websocket-protocol", chosen)
    if ext_value is not None:
        h.append("sec-websocket-extensions", ext_value)
    return (h, chosen, exts)


# -- PerMessageDeflate.accept --------------------------------------------------------

def pmd_accept(self, params):
    # Server: one offer [(param, value)] -> (response header value, negotiated object),
    # or None when this offer cannot be accepted (the next one may be).
    got = {}
    for k, v in params:
        if k in got:
            return None
        got[k] = v
    r = PerMessageDeflate(level=self.level, min_size=self.min_size)
    resp = PerMessageDeflate()
    resp.server_max_window_bits = None
    r.server_max_window_bits = 15
    r.client_max_window_bits = 15
    client_limit_ok = False
    for k in got:
        v = got[k]
        if k == b"server_no_context_takeover" and v is None:
            r.server_no_context_takeover = True
        elif k == b"client_no_context_takeover" and v is None:
            r.client_no_context_takeover = True
        elif k == b"server_max_window_bits":
            n = _wbits(v)
            if n is None:
                return None
            if self.server_max_window_bits is not None and self.server_max_window_bits < n:
                n = self.server_max_window_bits
            r.server_max_window_bits = n
            resp.server_max_window_bits = n
        elif k == b"client_max_window_bits":
            if v is not None and _wbits(v) is None:
                return None
            client_limit_ok = True
            n = 15 if v is None else _wbits(v)
            r.client_max_window_bits = n
        else:
            return None
    if self.server_max_window_bits is not None and self.server_max_window_bits < r.server_max_window_bits:
        r.server_max_window_bits = self.server_max_window_bits   # our compressor's cap
    if self.server_no_context_takeover or (MICROPYTHON and _mp_deflate_compress()):
        r.server_no_context_takeover = True
    if self.client_no_context_takeover or MICROPYTHON:
        r.client_no_context_takeover = True
    want = self.client_max_window_bits
    if want is True:
        want = None
    if MICROPYTHON and want is None:
        want = DEFAULT_WINDOW_BITS
    if want is not None and want < r.client_max_window_bits:
        if not client_limit_ok:
            return None   # cannot bound the client's window: decline compression
        r.client_max_window_bits = want
    if client_limit_ok and (want is not None or got.get(b"client_max_window_bits") is not None):
        resp.client_max_window_bits = r.client_max_window_bits
    resp.server_no_context_takeover = r.server_no_context_takeover
    resp.client_no_context_takeover = r.client_no_context_takeover
    r.negotiated = True
    return (resp.params(), r)


# -- mhttp.websocket: the server side ---------------------------------------------------

async def accept(self, headers=None, protocols=None, timeout=None):
    # Server: answers the opening handshake (101 on HTTP/1.1, 200 on HTTP/2).
    #   headers    extra response fields (a Headers or a list of (name, value))
    #   protocols  subprotocols we speak, in our order of preference; the first one the
    #              client offered is chosen (ws.protocol); none in common: no
    #              Sec-WebSocket-Protocol in the answer (RFC 6455 §4.2.2)
    # A request that is not an acceptable upgrade gets its 400/426 and HandshakeError.
    if self.type != "server" or self.ready_state != _CONNECTING:
        raise Error("websocket: accept() is for a new server websocket")
    stream = self.stream
    try:
        resp, chosen, exts = server_handshake(self.headers, protocols, self.compression)
    except ProtocolError as e:
        # a refusal is a HandshakeError (its raise loaded mhttp._ws_hserr)
        from mhttp._ws_hserr import HandshakeError
        if not isinstance(e, HandshakeError):
            raise
        self.ready_state = _CLOSED
        await reject(stream, e, timeout)
        raise
    if headers is not None:
        for f in headers:
            n = f[0].encode() if isinstance(f[0], str) else f[0]
            if n[:1] != b":":
                resp.append(n, f[1])
    await stream.write_headers(resp, False, timeout)
    self.protocol = chosen.decode() if chosen is not None else None
    self._open(stream, exts, False)
    # For mhttp.server's close(), which sends each open websocket a close frame 1001 (see
    # mhttp._server_more._going_away): the websocket of a stream, and on MicroPython the
    # task of its handler (close() called by that handler leaves its own websocket alone;
    # CPython finds the caller's stream from its frames).  Only a server websocket pays.
    stream.ws = self
    if MICROPYTHON:
        from asyncio import core
        self.task = core.cur_task       # (None outside a task: no error)


def new_from_stream(stream, headers, compression=True, max_message_size=None,
                    max_frame_size=None):
    # A server websocket for a request head (from stream.get_headers()) that asks for an
    # upgrade.  No side effects: the request is checked (HandshakeError with .status_hint
    # 400 or 426 when it is not a websocket opening handshake) and nothing is written
    # until accept().
    from mhttp.websocket import WebSocket
    server_handshake(headers, None, None)
    if getattr(getattr(stream, "connection", None), "version", None) == 1.0:
        # (the h1 driver records an HTTP/1.0 request head as connection.version 1.0)
        raise _hse("§4.1: the HTTP version MUST be at least 1.1", 400)
    ws = WebSocket("server", compression, max_message_size, max_frame_size, False)
    ws.stream = stream
    ws.connection = getattr(stream, "connection", None)
    ws.headers = headers
    return ws


async def reject(stream, error=None, timeout=None, status=None):
    # Answers a request that is not an acceptable websocket handshake: error.status_hint
    # (400 by default; 426 carries Sec-WebSocket-Version: 13), a short text body.
    from mhttp.headers import Headers
    if status is None:
        status = getattr(error, "status_hint", 0) or 400
    body = (b"%d websocket handshake refused: " % status) + (str(error).encode() if error else b"") + b"\n"
    h = Headers()
    h.append(b":status", b"%d" % status)
    for f in getattr(error, "headers", None) or ():
        h.append(f[0], f[1])
    h.append(b"content-type", b"text/plain")
    h.append(b"content-length", b"%d" % len(body))
    await stream.write_headers(h, False, timeout)
    await stream.write_chunk(body, True, timeout)
