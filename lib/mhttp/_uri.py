# mhttp._uri: the part of mhttp.util a client needs for every request (parse_uri,
# to_authority, scheme_to_port and their helpers), kept apart so that a board does not
# load the rest of mhttp.util (URI escaping, dates, relative paths, split_authority).
# The IP literal checks live in mhttp._util_ip, imported when a URI has an IPv6 literal.
# Public through mhttp.util, which re-exports these names; see its opening comment for
# the conventions (bytes or str in, the same kind out; ValueError on bad input).

scheme_to_port = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _in(x):
    # -> (bytes, was_str)
    if isinstance(x, str):
        return x.encode(), True
    if isinstance(x, bytes):
        return x, False
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x), False
    raise TypeError("expected bytes or str, got %s" % type(x).__name__)


def _out(b, was_str):
    if not was_str:
        return b
    try:
        return b.decode()
    except UnicodeError:
        raise ValueError("result is not valid UTF-8; pass bytes to get raw octets")


def _port(p):
    # digits -> int in 0..65535, or ValueError
    if not p:
        raise ValueError("empty port")
    for c in p:
        if not 48 <= c <= 57:
            raise ValueError("invalid port %r" % (p,))
    v = int(p)
    if v > 65535:
        raise ValueError("port out of range: %d" % v)
    return v


def _scheme_str(scheme):
    if isinstance(scheme, str):
        return scheme.lower()
    if scheme is None:
        return None
    return _in(scheme)[0].decode().lower()


def to_authority(host, port, scheme):
    # Reverse of split_authority: brackets an IPv6 literal and omits the port when it is
    # None or the scheme's default.  Returns the kind of host.
    b, was_str = _in(host)
    if b.find(b":") >= 0 and not b.startswith(b"["):
        b = b"[" + b + b"]"
    if port is not None and scheme_to_port.get(_scheme_str(scheme)) != port:
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
    b, was_str = _in(uri)
    for c in b:
        if c <= 32 or c == 127:
            raise ValueError("whitespace or control character in URI")
    c = b.find(b":")
    if c <= 0:
        raise ValueError("URI has no scheme")
    scheme = b[:c].lower()
    if not (97 <= scheme[0] <= 122):
        raise ValueError("invalid URI scheme")
    for ch in scheme:
        if not (97 <= ch <= 122 or 48 <= ch <= 57 or ch in b"+-."):
            raise ValueError("invalid URI scheme")
    rest = b[c + 1:]
    if not rest.startswith(b"//"):
        raise ValueError("URI has no authority")
    rest = rest[2:]
    end = len(rest)
    for sep in (b"/", b"?", b"#"):
        k = rest.find(sep)
        if 0 <= k < end:
            end = k
    auth = rest[:end]
    tail = rest[end:]
    frag = None
    h = tail.find(b"#")
    if h >= 0:
        frag = tail[h + 1:]
        tail = tail[:h]
    if not tail.startswith(b"/"):
        tail = b"/" + tail
    userinfo = None
    at = auth.rfind(b"@")
    if at >= 0:
        userinfo = auth[:at]
        auth = auth[at + 1:]
    port = None
    if auth.startswith(b"["):
        e = auth.find(b"]")
        if e < 0:
            raise ValueError("unterminated IPv6 literal in URI")
        host = auth[1:e]
        # RFC 6874: a zone in a URI is written "%25zone"
        z = host.find(b"%25")
        from mhttp._util_ip import _is_ipv6
        if not _is_ipv6(host if z < 0 else host[:z]):
            raise ValueError("invalid IPv6 literal in URI")
        after = auth[e + 1:]
        if after:
            if not after.startswith(b":"):
                raise ValueError("junk after IPv6 literal in URI")
            if len(after) > 1:
                port = _port(after[1:])
    else:
        k = auth.rfind(b":")
        host = auth
        if k >= 0:
            host = auth[:k]
            if len(auth) > k + 1:
                port = _port(auth[k + 1:])
        for ch in host:
            if ch in b"[]:":
                raise ValueError("invalid host in URI")
    if not host:
        raise ValueError("URI has an empty host")
    host = host.lower()
    if port is None:
        port = scheme_to_port.get(scheme.decode())
    return (_out(scheme, was_str), None if userinfo is None else _out(userinfo, was_str),
            _out(host, was_str), port, _out(tail, was_str),
            None if frag is None else _out(frag, was_str))
