# mhttp._util_ip: IP literal checks (RFC 3986 §3.2.2) for mhttp.util (is_ip,
# split_authority, percent-decoding's hex digits) and mhttp._uri's rare parts (an IPv6
# literal in a URI or a host, the error texts), kept apart so that a client whose URIs
# name hosts and parse does not load them.


def _hexval(c):
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


def _is_ipv4(b):
    parts = b.split(b".")
    if len(parts) != 4:
        return False
    for p in parts:
        if not 1 <= len(p) <= 3:
            return False
        for c in p:
            if not 48 <= c <= 57:
                return False
        if len(p) > 1 and p[0] == 48:  # RFC 3986 dec-octet: no leading zero
            return False
        if int(p) > 255:
            return False
    return True


def _is_h16(g):
    if not 1 <= len(g) <= 4:
        return False
    for c in g:
        if _hexval(c) < 0:
            return False
    return True


def _is_ipv6(b):
    # RFC 3986 §3.2.2 IPv6address: eight h16 groups, or fewer with one "::"; the last
    # 32 bits may be written as an IPv4 address.
    if not b:
        return False
    if b.find(b".") >= 0:
        k = b.rfind(b":")
        if k < 0 or not _is_ipv4(b[k + 1:]):
            return False
        b = b[:k + 1] + b"0:0"  # the IPv4 part counts as two groups
    dc = b.find(b"::")
    if dc >= 0:
        if b.find(b"::", dc + 1) >= 0:
            return False
        left = b[:dc]
        right = b[dc + 2:]
        lg = left.split(b":") if left else []
        rg = right.split(b":") if right else []
    else:
        lg = b.split(b":")
        rg = []
    groups = lg + rg
    count = 0
    for g in groups:
        if not _is_h16(g):
            return False
        count += 1
    if dc >= 0:
        return count <= 7
    return count == 8


# ---- mhttp._uri's rare parts -----------------------------------------------------

# mhttp._uri's error texts, by number (index 0 is a TypeError, the others ValueErrors)
_URI_ERRORS = ("expected bytes or str, got %s",
               "result is not valid UTF-8; pass bytes to get raw octets",
               "empty port",
               "invalid port %r",
               "port out of range: %d",
               "whitespace or control character in URI",
               "URI has no scheme",
               "invalid URI scheme",
               "URI has no authority",
               "invalid host in URI",
               "URI has an empty host")


def _bad(n, arg=None):
    # The exception for mhttp._uri's error n (arg: the value its text formats).
    t = _URI_ERRORS[n]
    if arg is not None:
        t = t % (arg,)
    return TypeError(t) if n == 0 else ValueError(t)


def _port(p):
    # A URI's port: digits -> int in 0..65535, or ValueError (mhttp._uri.parse_uri has
    # this inline)
    if not p:
        raise _bad(2)   # empty port
    for c in p:
        if not 48 <= c <= 57:
            raise _bad(3, p)    # invalid port %r
    v = int(p)
    if v > 65535:
        raise _bad(4, v)    # port out of range: %d
    return v


def _scheme_str(scheme):
    # A scheme (str, bytes-like or None) as a lowercase str (mhttp._uri.to_authority has
    # this inline)
    if isinstance(scheme, str):
        return scheme.lower()
    if scheme is None:
        return None
    from mhttp._io import _in
    return _in(scheme)[0].decode().lower()


def bracket(b):
    # An IPv6 literal host (bytes) in brackets, for an authority, without its zone
    # ("fe80::1%eth0" -> "[fe80::1]"): RFC 6874 §4, a client MUST NOT send the zone (it
    # only means something on the sending host) in Host / :authority or a Referer.
    z = b.find(b"%")
    return b"[" + (b if z < 0 else b[:z]) + b"]"


def _zone(z):
    # An RFC 6874 ZoneID (after the URI's "%25": 1*(unreserved / pct-encoded)), decoded;
    # ValueError when empty or malformed, or when it decodes to a control byte, a space
    # or "%" (the host's form, "addr%zone", stays unambiguous).
    out = bytearray()
    i = 0
    n = len(z)
    while i < n:
        c = z[i]
        if c == 37:     # "%"
            if i + 2 >= n or _hexval(z[i + 1]) < 0 or _hexval(z[i + 2]) < 0:
                raise ValueError("invalid IPv6 zone in URI")
            c = _hexval(z[i + 1]) * 16 + _hexval(z[i + 2])
            i += 3
        elif 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c in b"-._~":
            i += 1
        else:
            raise ValueError("invalid IPv6 zone in URI")
        if c < 33 or c == 127 or c == 37:
            raise ValueError("invalid IPv6 zone in URI")
        out.append(c)
    if not out:
        raise ValueError("invalid IPv6 zone in URI")
    return bytes(out)


def uri_ipv6(auth):
    # The authority (bytes, userinfo removed) of a URI that starts with "[": the IPv6
    # literal (without brackets; lowercase) and the port (int, or None when absent);
    # ValueError when malformed.  An RFC 6874 zone ("[fe80::1%25eth0]") is decoded into
    # the form a socket address takes ("fe80::1%eth0", its case kept): the host to
    # connect to; bracket() leaves it out of what is sent.
    e = auth.find(b"]")
    if e < 0:
        raise ValueError("unterminated IPv6 literal in URI")
    host = auth[1:e]
    z = host.find(b"%25")
    if not _is_ipv6(host if z < 0 else host[:z]):
        raise ValueError("invalid IPv6 literal in URI")
    host = host.lower() if z < 0 else host[:z].lower() + b"%" + _zone(host[z + 3:])
    after = auth[e + 1:]
    port = None
    if after:
        if not after.startswith(b":"):
            raise ValueError("junk after IPv6 literal in URI")
        if len(after) > 1:
            port = _port(after[1:])
    return host, port
