# mhttp.util: lua-http's http.util in Python idiom (portable: CPython, MicroPython,
# CircuitPython).
#
#   encodeURI(s), encodeURIComponent(s), decodeURI(s), decodeURIComponent(s)
#   query_args(s) -> [(name, value_or_None), ...]
#   dict_to_query(dict_or_pairs) -> "a=1&b=2"
#   resolve_relative_path(orig_path, relative_path)
#   is_safe_method(method), is_ip(s)
#   scheme_to_port                      {"http": 80, "ws": 80, "https": 443, "wss": 443}
#   split_authority(authority, scheme) -> (host, port)
#   to_authority(host, port, scheme) -> "host[:port]"
#   imf_date(t=None) -> "Sun, 06 Nov 1994 08:49:37 GMT"
#   parse_http_date(s, now=None) -> Unix timestamp (int) or None
#   maybe_quote(s) -> token as is, else quoted-string, else None
#   parse_uri(uri) -> (scheme, userinfo, host, port, path_and_query, fragment)
#   unix_time() -> seconds since 1970-01-01 UTC, whatever the port's own epoch
#
# Kinds: every function that takes text accepts bytes or str and returns the same kind it
# was given (bytearray/memoryview count as bytes).  Internally everything is bytes, since
# MicroPython only knows UTF-8: a str is encoded as UTF-8 on the way in and decoded on
# the way out.  A decoder whose result is not valid UTF-8 when a str was given raises
# ValueError (pass bytes to get the raw octets).
#
# Differences from lua-http, all deliberate:
#   - errors are exceptions (ValueError), not `nil, err`;
#   - query_args returns a list (lua: an iterator); a name without "=" has value None
#     (lua: nil);
#   - dict_to_query also takes a list of pairs (kept in order); a dict is written in
#     sorted key order (MicroPython dicts are unordered, and lua's example prints sorted);
#   - resolve_relative_path follows RFC 3986 §5.2.2 (merge) and §5.2.4
#     (remove_dot_segments) exactly, which lua-http approximates: a trailing "." or ".."
#     keeps the trailing slash ("/a/b" + "c/.." -> "/a/"), empty segments are kept, and a
#     "?query" / "#fragment" on either argument is handled like the RFC does; a rootless
#     base, which the RFC does not have, gives a rootless path, as lua-http's ("a/b" +
#     "../../g" -> "g"; "" + "g" -> "g");
#   - is_ip's IPv4 form is RFC 3986's dec-octet: no leading zeros ("01.2.3.4" is not an
#     IP); IPv6 may carry a zone ("fe80::1%eth0"), as lua-http's IPv6addrz; parse_uri
#     decodes a URI's zone ("[fe80::1%25eth0]" -> "fe80::1%eth0", RFC 6874) and
#     to_authority leaves it out (RFC 6874 §4: a client never sends it);
#   - split_authority strips surrounding blanks, accepts an empty port ("host:") as the
#     default one, and rejects a port above 65535 or an unbracketed IPv6 literal.
#
# Clock: imf_date() without an argument, and parse_http_date's two-digit-year rule, need
# "now" as a Unix timestamp.  unix_time() asks the platform glue first
# (`_mhttp_port.unix_time()`, when the port module defines it: boards whose RTC was set
# by NTP know best); otherwise it takes time.time() and adds the port's epoch offset,
# found by asking time.gmtime(0) which year its epoch is (MicroPython boards such as
# ESP32 and RP2040 count from 2000-01-01, the unix port and CPython from 1970-01-01).
# Date arithmetic is plain civil-from-days integer code (no time.gmtime), so results are
# the same on every port whatever its epoch.

# The URI parsing the request path needs (parse_uri, to_authority, scheme_to_port) lives
# in mhttp.request, so that a board client does not load this module; they are served
# from there by the module __getattr__ below (a program that uses mhttp.util without
# requests, a server handler, does not load the client).  The IP literal checks are in
# mhttp._util_ip; the str/bytes helpers _in and _out in mhttp._io.
from mhttp._io import _in, _out
from mhttp._util_ip import (_hexval, _is_ipv4, _is_h16, _is_ipv6,  # noqa: F401
                            _port, _scheme_str)

# The clock and dates (unix_time, imf_date, parse_http_date) live in mhttp._util_date,
# resolve_relative_path in mhttp._util_path: loaded on first use through the module
# __getattr__ below (PEP 562; MicroPython has it too), so `from mhttp.util import
# imf_date` works as before and names the same object.
_DATES = "unix_time imf_date parse_http_date _days_from_civil _civil_from_days"


def __getattr__(name):
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(globals(), "parse_uri to_authority scheme_to_port")
    if name in _DATES.split():
        m = "mhttp._util_date"
    elif name == "resolve_relative_path":
        m = "mhttp._util_path"
    elif name in "parse_uri to_authority scheme_to_port".split():
        m = "mhttp.request"
    else:
        raise AttributeError(name)
    v = getattr(__import__(m, None, None, (name,)), name)
    globals()[name] = v     # later lookups are ordinary globals
    return v


def split_authority(authority, scheme):
    # "localhost:8000" -> ("localhost", 8000); "example.com" with scheme "https" ->
    # ("example.com", 443); "[::1]:8080" -> ("::1", 8080).  A missing port takes the
    # scheme's default; ValueError when there is none (unknown scheme) or the authority
    # is malformed.  host has the kind of authority; port is an int.
    b, was_str = _in(authority)
    b = b.strip()
    port = None
    if b.startswith(b"["):
        e = b.find(b"]")
        if e < 0:
            raise ValueError("unterminated IPv6 literal in authority")
        host = b[1:e]
        rest = b[e + 1:]
        z = host.find(b"%25")
        if not _is_ipv6(host if z < 0 else host[:z]):
            raise ValueError("invalid IPv6 literal in authority")
        if rest:
            if not rest.startswith(b":"):
                raise ValueError("junk after IPv6 literal in authority")
            if len(rest) > 1:
                port = _port(rest[1:])
    else:
        c = b.rfind(b":")
        if c >= 0:
            host = b[:c]
            if host.find(b":") >= 0:
                raise ValueError("IPv6 literal in authority must be in brackets")
            if c + 1 < len(b):
                port = _port(b[c + 1:])
        else:
            host = b
    if not host:
        raise ValueError("empty host in authority")
    if port is None:
        # (mhttp.request.scheme_to_port's table, not imported: that loads the client)
        port = {"http": 80, "ws": 80, "https": 443, "wss": 443}.get(_scheme_str(scheme))
        if port is None:
            raise ValueError("unknown scheme %r and no port" % (scheme,))
    return _out(host, was_str), port


_HEX = b"0123456789ABCDEF"
# encodeURIComponent leaves alphanumerics and - _ . ! ~ * ' ( ) alone.
# (Board RAM: the sets are whole literals, no bytes built at import.)
_COMPONENT_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
# encodeURI also leaves ; , / ? : @ & = + $ #.
_URI_SAFE = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
             b";,/?:@&=+$#")
# decodeURI keeps these escaped (they are special in URIs).
_DECODE_URI_KEEP = b"#$&+,/:;=?@"
# RFC 9110 §5.6.2 tchar.
_TCHAR = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

_SAFE_METHODS = (b"GET", b"HEAD", b"OPTIONS", b"TRACE")


def _encode(s, safe):
    b, was_str = _in(s)
    out = bytearray()
    for c in b:
        if c in safe:
            out.append(c)
        else:
            out.append(37)  # "%"
            out.append(_HEX[c >> 4])
            out.append(_HEX[c & 15])
    return _out(bytes(out), was_str)


def _decode(s, keep):
    # Replaces every "%XX" (two hex digits) by its octet unless the octet is in `keep`.
    # Anything else ("%", "%4", "%zz") is left as it is, as lua-http's gsub does.
    b, was_str = _in(s)
    if b.find(b"%") < 0:
        return s if not isinstance(s, (bytearray, memoryview)) else b
    out = bytearray()
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c == 37 and i + 2 < n:
            h = _hexval(b[i + 1])
            lo = _hexval(b[i + 2])
            if h >= 0 and lo >= 0:
                v = (h << 4) | lo
                if v not in keep:
                    out.append(v)
                    i += 3
                    continue
        out.append(c)
        i += 1
    return _out(bytes(out), was_str)


def encodeURI(s):
    # Escapes everything but alphanumerics, - _ . ! ~ * ' ( ) and ; , / ? : @ & = + $ #.
    return _encode(s, _URI_SAFE)


def encodeURIComponent(s):
    # Escapes everything but alphanumerics and - _ . ! ~ * ' ( ).
    return _encode(s, _COMPONENT_SAFE)


def decodeURI(s):
    # Unescapes %XX except for the characters that are special in URIs (# $ & + , / : ; =
    # ? @), which stay escaped.
    return _decode(s, _DECODE_URI_KEEP)


def decodeURIComponent(s):
    # Unescapes every %XX.
    return _decode(s, b"")


def query_args(s):
    # "foo=bar&baz" -> [("foo", "bar"), ("baz", None)], names and values unescaped.
    # Empty segments are skipped, and so are leading "=" of a segment (as lua-http's
    # pattern "([^=&]+)(=?)([^&]*)&?" does); a value may contain "=".  "+" is not a space.
    b, was_str = _in(s)
    r = []
    for seg in b.split(b"&"):
        i = 0
        while i < len(seg) and seg[i] == 61:  # "="
            i += 1
        if i:
            seg = seg[i:]
        if not seg:
            continue
        eq = seg.find(b"=")
        if eq < 0:
            r.append((_out(decodeURIComponent(seg), was_str), None))
        else:
            r.append((_out(decodeURIComponent(seg[:eq]), was_str),
                      _out(decodeURIComponent(seg[eq + 1:]), was_str)))
    return r


def _qpart(x):
    if isinstance(x, int) and not isinstance(x, bool):
        return b"%d" % x
    return _in(x)[0]


def dict_to_query(form):
    # {"foo": "bar", "baz": "qux"} -> "baz=qux&foo=bar" (a dict in sorted key order; a
    # list of (name, value) pairs in its own order).  Values may be str, bytes or int.
    # Returns str unless a name or value is bytes, then bytes.
    if isinstance(form, dict):
        pairs = []
        keys = list(form.keys())
        # sort as bytes so str and bytes keys compare
        keys.sort(key=_qpart)
        for k in keys:
            pairs.append((k, form[k]))
    else:
        pairs = form
    any_bytes = False
    r = []
    for k, v in pairs:
        if not isinstance(k, str) or not isinstance(v, (str, int)):
            any_bytes = True
        r.append(encodeURIComponent(_qpart(k)) + b"=" + encodeURIComponent(_qpart(v)))
    out = b"&".join(r)
    return out if any_bytes else out.decode()


def is_safe_method(method):
    # RFC 9110 §9.2.1: GET, HEAD, OPTIONS and TRACE are safe.  Methods are
    # case-sensitive.
    return _in(method)[0] in _SAFE_METHODS


def is_ip(s):
    # True for an IPv4 dotted quad or an IPv6 address (optionally with a "%zone"); no
    # brackets, no port.
    b, _ = _in(s)
    if _is_ipv4(b):
        return True
    z = b.find(b"%")
    if z >= 0:
        zone = b[z + 1:]
        if not zone:
            return False
        for c in zone:
            if c not in _UNRESERVED and c != 37:
                return False
        b = b[:z]
    return _is_ipv6(b)


# --- dates -------------------------------------------------------------------------

def maybe_quote(s):
    # A valid token (RFC 9110 §5.6.2) is returned as is; a string that can be a
    # quoted-string (§5.6.4: no control character but HTAB) is returned quoted with
    # backslash before '"' and '\'; anything else gives None.  Same kind out as in.
    b, was_str = _in(s)
    if b:
        ok = True
        for c in b:
            if c not in _TCHAR:
                ok = False
                break
        if ok:
            return _out(b, was_str)
    out = bytearray(b'"')
    for c in b:
        if c == 34 or c == 92:
            out.append(92)
            out.append(c)
        elif c == 9 or (32 <= c <= 126) or c >= 128:
            out.append(c)
        else:
            return None
    out.append(34)
    return _out(bytes(out), was_str)


# --- URIs --------------------------------------------------------------------------
