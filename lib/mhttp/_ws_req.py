# mhttp._ws_req: the client's opening request (RFC 6455 §4.1) and its
# permessage-deflate offer (RFC 7692 §7.1), out of mhttp._ws_hs (which checks the answer
# and holds the helpers mhttp._ws_server shares; it serves these names too).  Board RAM:
# a MicroPython client's plain handshake (mhttp._ws_open.connect) loads this module,
# writes the request, and drops it before it loads mhttp._ws_hs for the answer, so the
# handshake's peak holds the code of one half only.
#   client_key(), params(pmd) and offer(pmd) (PerMessageDeflate.params / offer),
#   _request(...): client_request's fields as a list (mhttp._ws_hs.client_request)
#   request_head(h): the plain handshake's request as mhttp.h1 writes it
#     (mhttp._ws_open.connect; tests_host/core/test_ws_plain_handshake.py)
import os
from mhttp.ws import PerMessageDeflate, MICROPYTHON, _mp_deflate_compress


def _bb(x):
    # (mhttp._ws_hs._bb's twin: that module is not loaded with this one)
    return x.encode() if isinstance(x, str) else bytes(x)


def client_key():
    # §4.1: a randomly selected 16-byte value, base64-encoded.
    import binascii
    return binascii.b2a_base64(os.urandom(16))[:-1]


def params(self):
    # PerMessageDeflate.params(): the header value for this object's parameters (offer or
    # response).
    out = [self.name]
    if self.server_no_context_takeover:
        out.append(b"server_no_context_takeover")
    if self.client_no_context_takeover:
        out.append(b"client_no_context_takeover")
    if self.server_max_window_bits is not None:
        out.append(b"server_max_window_bits=%d" % self.server_max_window_bits)
    if self.client_max_window_bits is True:
        out.append(b"client_max_window_bits")
    elif self.client_max_window_bits is not None:
        out.append(b"client_max_window_bits=%d" % self.client_max_window_bits)
    return b"; ".join(out)


def offer(self):
    # PerMessageDeflate.offer()
    # RFC 7692 §7.1: the Sec-WebSocket-Extensions value a client sends.
    p = PerMessageDeflate(self.server_no_context_takeover, self.client_no_context_takeover,
                          self.server_max_window_bits, self.client_max_window_bits,
                          self.level, self.min_size)
    if MICROPYTHON:
        # Our inflater cannot keep context; our compressor (if any) ends each
        # message with a final block, so the server must not keep context either.
        p.server_no_context_takeover = True
        if _mp_deflate_compress():
            p.client_no_context_takeover = True
    if p.client_max_window_bits is None:
        p.client_max_window_bits = True   # "we can limit our window if you ask"
    return params(p)


def _request(authority, path, key, subprotocols, pmd, scheme, h2, origin):
    # client_request's fields as a list of (name, value): lowercase names, bytes values
    # (the plain handshake writes them without a Headers, mhttp._ws_open.request_head;
    # board RAM: its handshake does not load mhttp.headers).
    if h2:
        h = [(b":method", b"CONNECT"), (b":protocol", b"websocket"),
             (b":scheme", _bb(scheme)), (b":path", _bb(path)),
             (b":authority", _bb(authority))]
    else:
        h = [(b":method", b"GET"), (b":path", _bb(path)), (b":authority", _bb(authority)),
             (b":scheme", _bb(scheme)), (b"upgrade", b"websocket"),
             (b"connection", b"Upgrade"), (b"sec-websocket-key", _bb(key))]
    h.append((b"sec-websocket-version", b"13"))
    if origin is not None:
        h.append((b"origin", _bb(origin)))
    if subprotocols:
        h.append((b"sec-websocket-protocol", b", ".join([_bb(s) for s in subprotocols])))
    if pmd is not None:
        h.append((b"sec-websocket-extensions", pmd.offer()))
    return h


def request_head(h):
    # The bytes mhttp.h1 writes for the plain case's GET, the Headers h from
    # client_request (H1Protocol(CLIENT).send_headers(h, True)), or None when h holds
    # anything mhttp.h1 checks that is not plain ASCII (it then writes it itself):
    # a path of VCHARs, a host of letters, digits and ".-:[]", values of SP and VCHARs.
    # (h: client_request's Headers, or _request's list of fields)
    path = auth = None
    for f in h:
        if f[0] == b":path" and path is None:
            path = f[1]
        elif f[0] == b":authority" and auth is None:
            auth = f[1]
    if not _ascii(path, 33) or not _ascii(auth, 33):
        return None
    for c in auth:
        if not (48 <= c <= 57 or 97 <= c | 32 <= 122 or c == 46 or c == 45 or c == 58
                or c == 91 or c == 93):      # (digits, letters, ".-:[]")
            return None
    out = [b"GET ", path, b" HTTP/1.1\r\nhost: ", auth, b"\r\n"]
    for f in h:
        if f[0][0] != 58:      # (":", a pseudo-header)
            if not _ascii(f[1], 32):
                return None
            out.append(f[0])
            out.append(b": ")
            out.append(f[1])
            out.append(b"\r\n")
    out.append(b"\r\n")
    return b"".join(out)


def _ascii(data, start):
    # data's bytes are all in start..126 (data not empty; mhttp._ws_open._ascii's twin)
    return len(data) > 0 and min(data) >= start and max(data) <= 126
