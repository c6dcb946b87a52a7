# mhttp._uri: the part of mhttp.util a client needs for every request (parse_uri,
# to_authority, scheme_to_port and their helpers), kept apart so that a board does not
# load the rest of mhttp.util (URI escaping, dates, relative paths, split_authority).
# Public through mhttp.util, which re-exports these names; see its opening comment for
# the conventions (bytes or str in, the same kind out; ValueError on bad input).
#
# RAM on boards: every bytes or non-identifier str constant is a heap object per module
# on MicroPython (about 40 B, even from ROMFS), so delimiters are const() byte values,
# the error texts live in mhttp._util_ip (loaded with the first error: each raise site
# imports its _bad there, no def here, and keeps its text as a comment) and so does the
# IPv6 literal handling.
try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_SLASH = const(47)      # "/"
_COLON = const(58)      # ":"
_LBRACKET = const(91)   # "["
_RBRACKET = const(93)   # "]"

scheme_to_port = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _in(x):
    # -> (bytes, was_str)
    if isinstance(x, str):
        return x.encode(), True
    if isinstance(x, bytes):
        return x, False
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x), False
    from mhttp._util_ip import _bad
    raise _bad(0, type(x).__name__)     # TypeError: expected bytes or str, got %s


def _out(b, s):
    # s: the input was a str (then so is the result)
    if not s:
        return b
    try:
        return b.decode()
    except UnicodeError:
        from mhttp._util_ip import _bad
        raise _bad(1)   # result is not valid UTF-8; pass bytes to get raw octets


# (_port and _scheme_str, for mhttp.util, are in mhttp._util_ip: parse_uri and
# to_authority have their code inline, two names fewer on a board's request path.)


def to_authority(host, port, scheme):
    # Reverse of split_authority: brackets an IPv6 literal and omits the port when it is
    # None or the scheme's default.  Returns the kind of host.
    # (Board RAM: no tuple from _in for bytes, no copy of a lowercase scheme.)
    if isinstance(host, bytes):
        b = host
        was_str = False
    else:
        b, was_str = _in(host)
    if b.find(b":") >= 0 and b[0] != _LBRACKET:
        from mhttp._util_ip import bracket
        b = bracket(b)
    if port is not None:
        # the scheme as a lowercase str (mhttp._util_ip._scheme_str)
        if isinstance(scheme, str):
            if not scheme.islower():
                scheme = scheme.lower()
        elif scheme is not None:
            scheme = _in(scheme)[0].decode().lower()
        if scheme_to_port.get(scheme) != port:
            b += b":%d" % port
    return _out(b, was_str)


def parse_uri(uri):
    # RFC 3986 §3, for URIs with an authority ("scheme://[userinfo@]host[:port]/p?q#f"):
    # returns (scheme, userinfo, host, port, path_and_query, fragment), each of the kind
    # of uri except port (int).  scheme and host are lowercased; an IPv6 literal loses
    # its brackets; a missing port is scheme_to_port's default (None for an unknown
    # scheme); an empty path becomes "/"; userinfo and fragment are None when absent.
    # ValueError for a URI without a scheme or "//" authority, or with a bad host or
    # port, or with whitespace or control characters.
    # (Board RAM: indexes into b, one slice per part returned, lower() only when a
    # letter is uppercase: ~0.3 KB of garbage per call, not ~0.8 KB.)
    if isinstance(uri, bytes):
        b = uri
        was_str = False
    else:
        b, was_str = _in(uri)
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
    if len(b) < c + 3 or b[c + 1] != _SLASH or b[c + 2] != _SLASH:
        from mhttp._util_ip import _bad
        raise _bad(8)   # URI has no authority
    # the authority is b[c:end] (c moved past "//"), the path and query b[end:h]
    c += 3
    # (three finds, not a loop over a tuple of the separators: a constant tuple is a heap
    # object, its items three more, even from ROMFS; b"/" and b"#" are this module's
    # constants already)
    end = len(b)
    k = b.find(b"/", c)
    if 0 <= k < end:
        end = k
    k = b.find(b"?", c)
    if 0 <= k < end:
        end = k
    k = b.find(b"#", c)
    if 0 <= k < end:
        end = k
    frag = None
    h = b.find(b"#", end)
    if h >= 0:
        frag = b[h + 1:]
    else:
        h = len(b)
    if h == end:
        tail = b"/"
    elif b[end] != _SLASH:
        tail = b"/" + b[end:h]
    elif h == end + 1:
        tail = b"/"     # (the common "/": no copy)
    else:
        tail = b[end:h]
    userinfo = None
    at = b.rfind(b"@", c, end)
    if at >= 0:
        userinfo = b[c:at]
        c = at + 1
    port = None
    if c < end and b[c] == _LBRACKET:
        from mhttp._util_ip import uri_ipv6
        host, port = uri_ipv6(b[c:end])
        host = host.lower()
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
            if ch == _LBRACKET or ch == _RBRACKET or ch == _COLON:
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
    return (_out(scheme, was_str), None if userinfo is None else _out(userinfo, was_str),
            _out(host, was_str), port, _out(tail, was_str),
            None if frag is None else _out(frag, was_str))
