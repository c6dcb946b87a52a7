# mhttp._h1_rare: the rarely used parts of mhttp.h1's H1Protocol (trailer sections, both
# ways; 100 Continue; the diagnosis of a bad field line), bound to the class on first use
# by H1Protocol.__getattr__ (mhttp._lazy.bind): a server or client whose peers send plain
# messages never loads this module.  Functions are written as methods (`self` first); see
# mhttp.h1 for the theory of operation.
from mhttp.headers import Headers, _b
from mhttp.h1 import EV_TRAILERS, SERVER, _bad_block, _err

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.h1's states (private consts there: inlined, so repeated here).
_RS_DONE = const(8)
_SS_IDLE = const(0)
_SS_CHUNKED = const(2)
_SS_DONE = const(4)


def _trailer_section(self):
    # A trailer section with fields (the empty one is read by h1's _r_trailers).
    buf = self._buf
    pos = self._pos
    end = buf.find(b"\r\n\r\n", pos)
    if end < 0:
        have = len(buf) - pos
        if have > self.max_header_bytes + 3:
            raise _err(35, self.max_header_bytes, 431)  # trailer section larger than %d bytes
        j = buf.find(b"\n", pos)
        while j >= 0:
            if j == pos or buf[j - 1] != 13:
                raise _err(36)  # bare LF in the trailer section
            j = buf.find(b"\n", j + 1)
        if self._eof:
            raise _err(37)  # connection closed in the trailer section
        return None
    if end - pos > self.max_header_bytes:
        raise _err(35, self.max_header_bytes, 431)  # trailer section larger than %d bytes
    block = buf[pos:end]
    lines = block.split(b"\r\n")
    n = len(lines) - 1
    if block.count(b"\n") != n or block.count(b"\r") != n:
        raise _err(38)  # bare CR or LF in the trailer section
    if _bad_block(block, lines):
        raise _err(39)  # control character in the trailer section
    if len(lines) > self.max_headers:
        raise _err(40, self.max_headers, 431)  # more than %d trailer fields
    for line in lines:
        if len(line) > self.max_line:
            raise _err(41, self.max_line, 431)  # trailer field line longer than %d bytes
    hl = []
    self._fields(lines, 0, hl, False)
    # RFC 9110 §6.5.1: framing, routing, control and content fields in a trailer
    # section are not acted on: dropped (not an error).
    hl = [f for f in hl if _trailer_ok(f[0])]
    self._pos = end + 4
    self._rs = _RS_DONE
    self.their_done = True
    return (EV_TRAILERS, Headers._trusted(hl))


def send_trailers(self, headers):
    if self._ss != _SS_CHUNKED:
        raise _err(47, None, None)  # trailers need a chunked body
    for f in headers:
        n = f[0]
        if type(n) is not bytes:
            n = _b(n)
        n = n.lower()
        if n[:1] == b":" or not _trailer_ok(n):
            # %r may not be sent as a trailer field (RFC 9110 §6.5.1)
            raise _err(48, n[:40], None)
    out = [b"0\r\n"]
    self._out_fields(headers, out)
    out.append(b"\r\n")
    self._ss = _SS_DONE
    self.our_done = True
    return b"".join(out)


def send_continue(self):
    if self.role != SERVER:
        raise _err(49, None, None)  # only a server sends 100 Continue
    if self._ss != _SS_IDLE:
        raise _err(50, None, None)  # 100 Continue after the final response head
    self.expect_continue = False
    return b"HTTP/1.1 100 Continue\r\n\r\n"


def _bad_field_line(self, line):
    # Builds the H1Error for a field line that failed validation (cold path).
    if line[:1] in (b" ", b"\t"):
        # obs-fold: a field line starts with whitespace (RFC 9112 §5.2: a server MUST reject a
        # message containing obs-fold)
        return _err(0)
    name, sep, _ = line.partition(b":")
    if not sep:
        return _err(1, line[:40])  # field line without a colon: %r
    if name[-1:] in (b" ", b"\t"):
        # whitespace between field name and colon (RFC 9112 §5.1: a server MUST reject such a
        # request)
        return _err(2)
    return _err(3, name[:40])  # invalid field name %r


# RFC 9110 §6.5.1: fields a trailer section may not carry (message framing, routing,
# connection control, request modifiers, authentication, response control, content
# processing).  One bytes constant searched for " name " (no set built at import).
_NOT_TRAILERS = (b" content-length transfer-encoding trailer host connection keep-alive"
                 b" proxy-connection upgrade te expect max-forwards range if-match"
                 b" if-none-match if-modified-since if-unmodified-since if-range"
                 b" cache-control pragma authorization proxy-authorization"
                 b" www-authenticate proxy-authenticate cookie set-cookie age expires"
                 b" location retry-after vary content-encoding content-type content-range ")


def _trailer_ok(name):
    # name: lowercase bytes.
    return b" " + name + b" " not in _NOT_TRAILERS
