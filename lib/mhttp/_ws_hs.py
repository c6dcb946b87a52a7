# mhttp._ws_hs: the WebSocket opening handshake's helpers (RFC 6455 §4, RFC 8441 over
# HTTP/2) and the client's half of the permessage-deflate negotiation (RFC 7692 §7.1),
# out of mhttp.ws: a connection runs them once, at its start.
#   mhttp.ws:  client_key, accept_key, client_request, client_check_response (and the
#              private helpers mhttp._ws_server shares), through its module __getattr__;
#              PerMessageDeflate.check_response (check_response: named as the method,
#              whose name is interned anyway)
#   client_key, params, offer and _request (the client's request) live in mhttp._ws_req,
#   served here too by the module __getattr__: the plain handshake loads that module,
#   writes its request and drops it before it loads this one for the answer (board RAM:
#   the handshake's peak holds the code of one half, mhttp._ws_open.connect).
#   (no module state: every name is a function)
# Board RAM: a MicroPython client imports this module (and mhttp._ws_open) for connect()
# and drops both from sys.modules once the handshake is done (mhttp._ws_open.unload):
# their function objects, constants and, from .mpy files, their bytecode are then freed,
# unless a server half (mhttp._ws_server) still uses them.
from mhttp.ws import (PerMessageDeflate, MICROPYTHON, DEFAULT_WINDOW_BITS,
                      _err, _msg, _is)

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_CLOSE_PROTOCOL_ERROR = const(1002)

# Error messages: ids into mhttp._ws_msg.MSG (see mhttp.ws, "Error messages").
_M_PMD_DUP = const(28)
_M_PMD_SBITS = const(29)
_M_PMD_SOVER = const(30)
_M_PMD_CBITS = const(31)
_M_PMD_PARAM = const(32)
_M_PMD_SREFUSED = const(33)
_M_PMD_TAKEOVER = const(34)
_M_HS_H2_STATUS = const(35)
_M_HS_STATUS = const(36)
_M_HS_UPGRADE = const(37)
_M_HS_CONNECTION = const(38)
_M_HS_ACCEPT = const(39)
_M_HS_PROTOCOL = const(40)
_M_HS_EXTENSION = const(41)
_M_HS_PMD_TWICE = const(42)


GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"     # RFC 6455 §1.3 (also mhttp.ws.GUID)


def _hs_error(msg, status_hint, arg=None):
    # HandshakeError (in mhttp._ws_hserr, which imports no handshake code: loaded by a
    # client only when its handshake fails), with the text of message id msg.  Also
    # mhttp.ws._hs_error (its module __getattr__).
    # (by long strs, not an import statement: a client interns its names only when its
    # handshake fails; board RAM)
    m = __import__("mhttp._ws_hserr", None, None, ("HandshakeError",))
    return getattr(m, "HandshakeError")(_msg(msg, arg), status_hint)


def _parse_extensions(values):
    # Sec-WebSocket-Extensions values (list of bytes) -> list of (name, [(param, value)]).
    # value is None for a bare parameter; quotes around a value are removed.
    out = []
    for v in values:
        for ext in v.split(b","):
            items = ext.split(b";")
            name = items[0].strip().lower()
            if not name:
                continue
            params = []
            for it in items[1:]:
                it = it.strip()
                if not it:
                    continue
                k, eq, val = it.partition(b"=")
                k = k.strip().lower()
                if eq:
                    val = val.strip()
                    if len(val) >= 2 and val[:1] == b'"' and val[-1:] == b'"':
                        val = val[1:-1]
                else:
                    val = None
                params.append((k, val))
            out.append((name, params))
    return out


def _wbits(val):
    # A *_max_window_bits value: 8..15 as decimal digits without leading zero.
    if val is None or not val.isdigit() or val[:1] == b"0" or len(val) > 2:
        return None
    n = int(val)
    if 8 <= n <= 15:
        return n
    return None


def check_response(self, params):
    # PerMessageDeflate.check_response(params)
    # Client: the server's answer [(param, value)] to our offer -> negotiated object,
    # or WSError when it is not something we offered or allowed (§7.1).
    got = {}
    for k, v in params:
        if k in got:
            raise _err(_M_PMD_DUP, _CLOSE_PROTOCOL_ERROR, k)
        got[k] = v
    r = PerMessageDeflate(level=self.level, min_size=self.min_size)
    r.server_max_window_bits = 15
    r.client_max_window_bits = 15
    for k in got:
        v = got[k]
        if k == b"server_no_context_takeover" and v is None:
            r.server_no_context_takeover = True
        elif k == b"client_no_context_takeover" and v is None:
            r.client_no_context_takeover = True
        elif k == b"server_max_window_bits":
            n = _wbits(v)
            if n is None:
                raise _err(_M_PMD_SBITS, _CLOSE_PROTOCOL_ERROR)
            if self.server_max_window_bits is not None and n > self.server_max_window_bits:
                raise _err(_M_PMD_SOVER, _CLOSE_PROTOCOL_ERROR)
            r.server_max_window_bits = n
        elif k == b"client_max_window_bits":
            n = _wbits(v)
            if n is None:
                raise _err(_M_PMD_CBITS, _CLOSE_PROTOCOL_ERROR)
            r.client_max_window_bits = n
        else:
            raise _err(_M_PMD_PARAM, _CLOSE_PROTOCOL_ERROR, k)
    if self.server_max_window_bits is not None and r.server_max_window_bits > self.server_max_window_bits:
        raise _err(_M_PMD_SREFUSED, _CLOSE_PROTOCOL_ERROR)
    if MICROPYTHON and not r.server_no_context_takeover:
        raise _err(_M_PMD_TAKEOVER, _CLOSE_PROTOCOL_ERROR)
    # our compressor's window: the policy's cap, else DEFAULT_WINDOW_BITS (MicroPython's
    # DeflateIO allocates 2**bits bytes for every message it compresses; a smaller window
    # than granted is always legal, RFC 7692 §7.1.2.2)
    cap = self.client_max_window_bits
    if cap is None or cap is True:
        cap = DEFAULT_WINDOW_BITS
    if r.client_max_window_bits > cap:
        r.client_max_window_bits = cap
    if self.client_no_context_takeover:
        r.client_no_context_takeover = True
    r.negotiated = True
    return r


def _b64(data):
    import binascii
    return binascii.b2a_base64(data)[:-1]


def accept_key(key):
    # §4.2.2: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
    if isinstance(key, str):
        key = key.encode()
    try:
        import hashlib
        h = hashlib.sha1(key + GUID).digest()
    except (ImportError, AttributeError, ValueError):
        # (mhttp._sha1 by a str: the name is not interned where hashlib has SHA-1)
        h = __import__("mhttp._sha1", None, None, ("sha1",)).sha1(key + GUID)
    return _b64(h)


def _values(h, name):
    # The values of the fields called name (lowercase) in h: a Headers, or a list of
    # fields (name, value, never_index) as the plain handshake reads them
    # (mhttp._ws_open.response_head; board RAM: it makes no Headers, so a plain client's
    # handshake does not load mhttp.headers).
    if type(h) is not list:
        return h.get_as_sequence(name)
    out = []
    for f in h:
        if f[0] == name:
            out.append(f[1])
    return out


def _list(headers, name, lower=False):
    # Comma-separated items of all fields called name, stripped (lower: and lowercased,
    # tokens).  (One function for both: a def and an interned name less, board RAM.)
    out = []
    for v in _values(headers, name):
        for t in v.split(b","):
            t = t.strip()
            if t:
                out.append(t.lower() if lower else t)
    return out


def _bb(x):
    return x.encode() if isinstance(x, str) else bytes(x)


def client_request(authority, path=b"/", key=None, subprotocols=None, pmd=None,
                   scheme=b"http", h2=False, origin=None):
    # The request head of §4.1 (or RFC 8441 §4 extended CONNECT when h2) as a Headers
    # with pseudo-headers.  key: client_key() (ignored for h2).  pmd: a PerMessageDeflate
    # policy to offer, or None.
    from mhttp.headers import Headers
    from mhttp._ws_req import _request
    return Headers(_request(authority, path, key, subprotocols, pmd, scheme, h2, origin))


def client_check_response(response, key=None, subprotocols=None, pmd=None, h2=False):
    # Client: checks the server's response head against what we asked (§4.1 "the
    # client MUST validate") and returns (subprotocol or None, extensions list).
    status = _values(response, b":status")
    status = status[0] if status else None
    if h2:
        if status is None or status[:1] != b"2":
            raise _hs_error(_M_HS_H2_STATUS, 0, (status,))
    else:
        if status != b"101":
            raise _hs_error(_M_HS_STATUS, 0, (status,))
        if b"websocket" not in _list(response, b"upgrade", True):
            raise _hs_error(_M_HS_UPGRADE, 0)
        if b"upgrade" not in _list(response, b"connection", True):
            raise _hs_error(_M_HS_CONNECTION, 0)
        acc = _values(response, b"sec-websocket-accept")
        if len(acc) != 1 or acc[0].strip() != accept_key(key):
            raise _hs_error(_M_HS_ACCEPT, 0)
    chosen = None
    protos = _list(response, b"sec-websocket-protocol")
    if protos:
        offered = [_bb(s) for s in (subprotocols or ())]
        if len(protos) != 1 or protos[0] not in offered:
            raise _hs_error(_M_HS_PROTOCOL, 0, (protos,))
        chosen = protos[0]
    exts = []
    for name, params in _parse_extensions(_values(response, b"sec-websocket-extensions")):
        if name != PerMessageDeflate.name or pmd is None:
            raise _hs_error(_M_HS_EXTENSION, 0, (name,))
        if exts:
            raise _hs_error(_M_HS_PMD_TWICE, 0)
        try:
            exts.append(pmd.check_response(params))
        except Exception as e:      # check_response's WSError (mhttp.ws._is)
            if not _is(e, "ProtocolError"):
                raise
            raise _hs_error(str(e), 0)
    return (chosen, exts)


def __getattr__(name):
    # mhttp._ws_req's names, importable from here as before (PEP 562; by strs: a board
    # interns no name for this)
    if name in "client_key params offer _request".split():
        return getattr(__import__("mhttp._ws_req", None, None, (name,)), name)
    raise AttributeError(name)
