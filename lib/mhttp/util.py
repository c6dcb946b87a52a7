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
#     "?query" / "#fragment" on either argument is handled like the RFC does;
#   - is_ip's IPv4 form is RFC 3986's dec-octet: no leading zeros ("01.2.3.4" is not an
#     IP); IPv6 may carry a zone ("fe80::1%eth0"), as lua-http's IPv6addrz;
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

# The URI parsing the request path needs (parse_uri, to_authority, scheme_to_port)
# lives in mhttp._uri and the IP literal checks in mhttp._util_ip, so that a board
# client does not load the rest of this module; they are re-exported here unchanged.
from mhttp._uri import (scheme_to_port, to_authority, parse_uri,  # noqa: F401
                        _in, _out, _port, _scheme_str)
from mhttp._util_ip import _hexval, _is_ipv4, _is_h16, _is_ipv6  # noqa: F401


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
        port = scheme_to_port.get(_scheme_str(scheme))
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

# Names as str constants (no tuples in RAM): 3 letters each, Monday = 0 / January = 0.
_WDAYS = "MonTueWedThuFriSatSun"
_WDAYS_LONG = " Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
_MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"


def _find3(names, b):
    # Index of the 3-letter name b (bytes) in names, or -1.
    try:
        s = b.decode()
    except UnicodeError:
        return -1
    i = names.find(s) if len(s) == 3 else -1
    return i // 3 if i >= 0 and i % 3 == 0 else -1

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


def _remove_dot_segments(path):
    # RFC 3986 §5.2.4, on bytes.
    out = []  # output segments, each starting with "/" (or the first may not)
    inp = path
    while inp:
        if inp.startswith(b"../"):
            inp = inp[3:]
        elif inp.startswith(b"./"):
            inp = inp[2:]
        elif inp.startswith(b"/./"):
            inp = inp[2:]
        elif inp == b"/.":
            inp = b"/"
        elif inp.startswith(b"/../"):
            inp = inp[3:]
            if out:
                out.pop()
        elif inp == b"/..":
            inp = b"/"
            if out:
                out.pop()
        elif inp == b"." or inp == b"..":
            inp = b""
        else:
            j = inp.find(b"/", 1)
            if j < 0:
                j = len(inp)
            out.append(inp[:j])
            inp = inp[j:]
    return b"".join(out)


def _split_pqf(b):
    # path?query#fragment -> (path, query or None, fragment or None); query and fragment
    # keep their "?" / "#".
    frag = None
    h = b.find(b"#")
    if h >= 0:
        frag = b[h:]
        b = b[:h]
    q = b.find(b"?")
    query = None
    if q >= 0:
        query = b[q:]
        b = b[:q]
    return b, query, frag


def resolve_relative_path(orig_path, relative_path):
    # Resolves relative_path against orig_path the way RFC 3986 §5.2.2 resolves a
    # reference that has no scheme or authority: an absolute relative_path replaces the
    # path, a relative one is merged with orig_path's directory (§5.2.3), and dot
    # segments are removed (§5.2.4).  Either may carry a "?query" (and relative_path a
    # "#fragment"): an empty relative_path keeps orig_path with its query, "?q" keeps its
    # path.  Returns the kind of relative_path.
    rel, was_str = _in(relative_path)
    base, _ = _in(orig_path)
    bpath, bquery, _bfrag = _split_pqf(base)
    rpath, rquery, rfrag = _split_pqf(rel)
    if not rpath:
        path = bpath
        query = rquery if rquery is not None else bquery
    else:
        query = rquery
        if rpath.startswith(b"/"):
            path = _remove_dot_segments(rpath)
        else:
            k = bpath.rfind(b"/")
            merged = bpath[:k + 1] + rpath if k >= 0 else rpath
            path = _remove_dot_segments(merged)
    r = path
    if query is not None:
        r += query
    if rfrag is not None:
        r += rfrag
    return _out(r, was_str)


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

def _days_from_civil(y, m, d):
    # Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    if m <= 2:
        y -= 1
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = m + 9 if m <= 2 else m - 3
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z):
    # -> (year, month, day) of days since 1970-01-01.
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    return y, m, d


_epoch_offset = None


def unix_time():
    # Seconds since 1970-01-01T00:00:00Z (int).  See the module comment.
    try:
        import _mhttp_port
        f = getattr(_mhttp_port, "unix_time", None)
    except ImportError:
        f = None
    if f is not None:
        return int(f())
    global _epoch_offset
    import time
    if _epoch_offset is None:
        off = 0
        try:
            y = time.gmtime(0)[0]
            if y != 1970:
                off = _days_from_civil(y, 1, 1) * 86400
        except (AttributeError, OSError, OverflowError, ValueError):
            pass
        _epoch_offset = off
    return int(time.time()) + _epoch_offset


def imf_date(t=None):
    # RFC 9110 §5.6.7 IMF-fixdate of Unix timestamp t (default: now), as str:
    # "Sun, 06 Nov 1994 08:49:37 GMT".
    if t is None:
        t = unix_time()
    t = int(t // 1)
    days = t // 86400
    secs = t - days * 86400
    y, m, d = _civil_from_days(days)
    wd = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _WDAYS[wd * 3:wd * 3 + 3], d, _MONTHS[m * 3 - 3:m * 3], y, secs // 3600,
        (secs // 60) % 60, secs % 60)


def _num(b, lo, hi):
    if not b:
        return None
    for c in b:
        if not 48 <= c <= 57:
            return None
    v = int(b)
    if v < lo or v > hi:
        return None
    return v


def _hms(b):
    p = b.split(b":")
    if len(p) != 3:
        return None
    for x in p:
        if len(x) != 2:
            return None
    h = _num(p[0], 0, 23)
    mi = _num(p[1], 0, 59)
    s = _num(p[2], 0, 60)  # allow a leap second, folded into the next minute
    if h is None or mi is None or s is None:
        return None
    return h * 3600 + mi * 60 + s


def _month(b):
    i = _find3(_MONTHS, b)
    return i + 1 if i >= 0 else None


def _mdays(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def _stamp(y, m, d, hms):
    if y is None or m is None or d is None or hms is None:
        return None
    if d > _mdays(y, m):
        return None
    return _days_from_civil(y, m, d) * 86400 + hms


def parse_http_date(s, now=None):
    # RFC 9110 §5.6.7: parses an HTTP-date in any of its three forms and returns the
    # Unix timestamp (int), or None when s is not one of them:
    #   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
    #   rfc850-date  "Sunday, 06-Nov-94 08:49:37 GMT"
    #   asctime      "Sun Nov  6 08:49:37 1994"
    # The day name must be a valid one but is not checked against the date.  A two-digit
    # year more than 50 years ahead of `now` (a Unix timestamp, default the clock) is
    # taken as the most recent past year with those digits.
    b, _ = _in(s)
    b = b.strip()
    comma = b.find(b",")
    if comma >= 0:
        wd = b[:comma]
        rest = b[comma + 1:]
        if not rest.startswith(b" "):
            return None
        f = rest[1:].split(b" ")
        if len(f) == 5 and _find3(_WDAYS, wd) >= 0:
            # IMF-fixdate: DD Mon YYYY HH:MM:SS GMT
            if len(f[0]) != 2 or len(f[2]) != 4 or f[4] != b"GMT":
                return None
            return _stamp(_num(f[2], 0, 9999), _month(f[1]), _num(f[0], 1, 31), _hms(f[3]))
        if len(f) == 3 and b" " not in wd and (" %s " % wd.decode()) in _WDAYS_LONG:
            # rfc850-date: DD-Mon-YY HH:MM:SS GMT
            if f[2] != b"GMT":
                return None
            dp = f[0].split(b"-")
            if len(dp) != 3 or len(dp[0]) != 2 or len(dp[2]) != 2:
                return None
            yy = _num(dp[2], 0, 99)
            if yy is None:
                return None
            if now is None:
                now = unix_time()
            cy = _civil_from_days(int(now) // 86400)[0]
            y = cy - cy % 100 + yy
            if y > cy + 50:
                y -= 100
            return _stamp(y, _month(dp[1]), _num(dp[0], 1, 31), _hms(f[1]))
        return None
    # asctime-date: Www Mon _D HH:MM:SS YYYY (day padded with a space to two chars)
    if len(b) != 24 or b[3] != 32 or b[7] != 32 or b[10] != 32 or b[19] != 32:
        return None
    if _find3(_WDAYS, b[:3]) < 0:
        return None
    dd = b[8:10]
    if dd[0] == 32:
        dd = dd[1:]
    elif dd[0] == 48:
        return None
    return _stamp(_num(b[20:24], 0, 9999), _month(b[4:7]), _num(dd, 1, 31), _hms(b[11:19]))


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
