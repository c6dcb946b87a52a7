# mhttp._util_date: the clock and HTTP dates of mhttp.util (unix_time, imf_date,
# parse_http_date), in a module of its own so that only a program that formats or parses
# dates loads it.  Public through mhttp.util; see its opening comment (Clock).
from mhttp._io import _in

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
