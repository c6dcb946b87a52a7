# python -m mhttp get URL [options]        (MicroPython: micropython -m mhttp get ...)
#
# A small curl: sends one request with mhttp.request on blocking sockets (no event loop
# needed, so it runs the same on CPython and on the MicroPython unix port) and writes the
# response body to stdout as bytes.
#
#   -X, --request METHOD    method (default GET; POST with -d)
#   -d, --data DATA         request body; @FILE reads a file, @- stdin (sent as is); several
#       --data-binary DATA  -d are joined with "&".  Adds content-type
#                           application/x-www-form-urlencoded unless -H gives one.
#   -H, --header 'N: v'     add a request field ('N:' removes a default one, 'Host: h'
#                           sets :authority)
#   -A, --user-agent UA
#   -i, --include           print the status line and response fields before the body
#                           (into the -o file with -o, as curl)
#   -I, --head              HEAD request, print the status line and fields only
#   -L, --location          follow redirects (as curl, off by default); --max-redirs N
#   -k, --insecure          no certificate verification
#       --cacert FILE       CA bundle to verify the server with (MicroPython needs one)
#   -o, --output FILE       write the body to FILE ("-": stdout); a progress bar goes to
#                           stderr when stderr is a terminal (or with -#), -s silences it
#   -m, --max-time SECS     limit for the whole transfer, as curl's (connect, request,
#                           response head and body); without it: 60 s per body read
#   -f, --fail              exit 22 on HTTP status >= 400 (without printing the body)
#   -v, --verbose           request and response heads on stderr (bytes that are not
#                           UTF-8 shown as \xNN)
#       --http1.0           HTTP/1.0 (Request.version 1.0: "HTTP/1.0" on the request line)
#       --http1.1           HTTP/1.1 only (Request.version 1.1: no h2 in the TLS ALPN offer)
#       --http2             HTTP/2: by ALPN over https (HTTP/1.1 if the server declines),
#                           Upgrade: h2c on http://
#       --http2-prior-knowledge   HTTP/2 straight away on http:// (h2c)
#
# Exit status (curl's numbers): 0 success (any HTTP status without --fail), 2 usage
# (bad options, and a -H Content-Length that does not match the body: curl would send it
# and hang, mhttp refuses it before connecting), 3 bad URL, 6 host name not resolved,
# 7 could not connect, 8 malformed response (mhttp.errors.H1Error), 22 HTTP error with
# --fail, 23 cannot write the output, 26 cannot read the data file, 28 timeout, 35 TLS
# failure (60 when the certificate was not verified), 47 too many redirects, 56
# connection closed while receiving (before the end of the head or body), 1 anything
# else.
import sys

USAGE = ("usage: mhttp get URL [-X METHOD] [-d DATA|@FILE] [-H 'Name: value'] [-i] [-I] [-L] "
         "[-k] [--cacert FILE] [-o FILE|-] [-m SECS] [-f] [-s] [-v] [--http1.0|--http1.1|"
         "--http2|--http2-prior-knowledge]")

READ_TIMEOUT = 60


class UsageError(Exception):
    pass


_FLAGS = {"-i": "include", "--include": "include", "-I": "head", "--head": "head",
          "-L": "location", "--location": "location", "-k": "insecure",
          "--insecure": "insecure", "-f": "fail", "--fail": "fail", "-v": "verbose",
          "--verbose": "verbose", "-s": "silent", "--silent": "silent",
          "-#": "progress", "--progress-bar": "progress", "--http1.0": "http10",
          "--http1.1": "http11", "--http2": "http2", "--http2-prior-knowledge": "http2pk"}
_VALUES = {"-X": "method", "--request": "method", "-d": "data", "--data": "data",
           "--data-binary": "data", "-H": "header", "--header": "header",
           "-A": "user_agent", "--user-agent": "user_agent", "--cacert": "cacert",
           "-o": "output", "--output": "output", "-m": "max_time", "--max-time": "max_time",
           "--max-redirs": "max_redirs"}


def parse_args(argv):
    # -> dict of options; raises UsageError.
    o = {"url": None, "method": None, "data": [], "header": [], "user_agent": None,
         "cacert": None, "output": None, "max_time": None, "max_redirs": None}
    for v in _FLAGS.values():
        o[v] = False
    i = 0
    n = len(argv)
    while i < n:
        a = argv[i]
        i += 1
        if a == "--":
            for rest in argv[i:]:
                if o["url"] is not None:
                    raise UsageError("more than one URL: %r" % rest)
                o["url"] = rest
            break
        val = None
        if a[:2] == "--" and "=" in a:
            a, _, val = a.partition("=")
        if a in _FLAGS:
            if val is not None:
                raise UsageError("option %s takes no value" % a)
            o[_FLAGS[a]] = True
            continue
        if a in _VALUES:
            if val is None:
                if i >= n:
                    raise UsageError("option %s needs a value" % a)
                val = argv[i]
                i += 1
            k = _VALUES[a]
            if k in ("data", "header"):
                o[k].append(val)
            else:
                o[k] = val
            continue
        if a[:1] == "-" and len(a) > 2 and a[:2] != "--" and a[1] in "XdHAom":
            # -XPOST, -HName:v ... (attached value)
            k = _VALUES["-" + a[1]]
            if k in ("data", "header"):
                o[k].append(a[2:])
            else:
                o[k] = a[2:]
            continue
        if a[:1] == "-" and len(a) > 1:
            # bundled short flags: -ikL
            ok = True
            for c in a[1:]:
                if ("-" + c) not in _FLAGS:
                    ok = False
            if ok and a[:2] != "--":
                for c in a[1:]:
                    o[_FLAGS["-" + c]] = True
                continue
            raise UsageError("unknown option %s" % a)
        if o["url"] is not None:
            raise UsageError("more than one URL: %r" % a)
        o["url"] = a
    if o["url"] is None:
        raise UsageError("no URL given")
    for k in ("max_time", "max_redirs"):
        if o[k] is not None:
            try:
                o[k] = float(o[k]) if k == "max_time" else int(o[k])
            except ValueError:
                raise UsageError("bad number for --%s: %r" % (k.replace("_", "-"), o[k]))
            if o[k] < 0:
                raise UsageError("--%s must not be negative" % k.replace("_", "-"))
    hs = []
    for h in o["header"]:
        name, sep, value = h.partition(":")
        if not sep:
            if h[-1:] == ";":  # curl: "Name;" sends an empty field
                hs.append((h[:-1].strip(), ""))
                continue
            raise UsageError("bad header %r (want 'Name: value')" % h)
        name = name.strip()
        if not name or " " in name or "\t" in name:
            raise UsageError("bad header name in %r" % h)
        hs.append((name, value.strip() if value.strip() else None))
    o["header"] = hs
    if o["head"] and o["data"]:
        raise UsageError("-I and -d cannot be used together")
    return o


def _read_data(spec):
    # -d value -> bytes (@FILE reads the file, @- stdin)
    if spec[:1] != "@":
        return spec.encode()
    path = spec[1:]
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def build_request(o):
    # The mhttp.request.Request the options describe.
    import mhttp.request
    req = mhttp.request.new_from_uri(o["url"])
    h = req.headers
    if o["head"]:
        h.upsert(":method", "HEAD")
    if o["data"]:
        parts = [_read_data(d) for d in o["data"]]
        body = parts[0] if len(parts) == 1 else b"&".join(parts)
        h.upsert(":method", "POST")
        h.upsert("content-type", "application/x-www-form-urlencoded")
        req.set_body(body)
    if o["method"]:
        h.upsert(":method", o["method"])
    if o["user_agent"] is not None:
        h.upsert("user-agent", o["user_agent"])
    replaced = []
    for name, value in o["header"]:
        lname = name.lower()
        if lname == "host":
            if value is not None:
                h.upsert(":authority", value)
            continue
        if value is None:
            h.delete(lname)
            continue
        if lname not in replaced and h.has(lname):
            h.delete(lname)  # a given field replaces a default one (user-agent, type)
        replaced.append(lname)
        h.append(lname, value)
    cl = h.get(b"content-length")
    if cl is not None:
        # (mhttp refuses a body that does not match it: a usage problem, said before
        # connecting, not a "malformed response")
        n = len(req.body) if o["data"] else 0
        if not cl.isdigit() or int(cl) != n:
            raise UsageError("-H 'Content-Length: %s' does not match the request body (%d "
                             "bytes); leave it out, mhttp sends the right one" % (_text(cl), n))
    req.follow_redirects = o["location"]
    if o["max_redirs"] is not None:
        req.max_redirects = o["max_redirs"]
    if o["insecure"]:
        req.verify = False
    if o["cacert"]:
        req.cafile = o["cacert"]
    if o["http10"]:
        req.version = 1.0
    elif o["http11"]:
        req.version = 1.1       # (TLS: ALPN offers no h2, mhttp._client_tls)
    elif o["http2pk"]:
        req.version = 2
    elif o["http2"] and not req.tls:
        req.version = 2
        req.h2c_upgrade = True
    return req


def _fmt_size(n):
    if n < 1024:
        return "%d B" % n
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n = n / 1024
        if n < 1024 or unit == "TiB":
            return "%.1f %s" % (n, unit)


def progress_line(done, total, elapsed_ms, width=30):
    # One progress line (no newline): bytes, percentage and bar when the total is known,
    # and the mean rate.
    rate = done * 1000 / elapsed_ms if elapsed_ms > 0 else 0
    if total:
        frac = done / total
        if frac > 1:
            frac = 1
        k = int(frac * width)
        bar = "#" * k + " " * (width - k)
        return "%5.1f%% [%s] %s / %s  %s/s" % (frac * 100, bar, _fmt_size(done), _fmt_size(total),
                                                _fmt_size(int(rate)))
    return "%s  %s/s" % (_fmt_size(done), _fmt_size(int(rate)))


def _isatty(f):
    try:
        return f.isatty()
    except Exception:
        return False


def _head_lines(h, version):
    # "HTTP/1.1 200 OK\r\n" + fields + "\r\n" as bytes
    from mhttp._reasons import reason
    st = h.get(b":status") or b"000"
    out = [b"HTTP/%s %s %s\r\n" % (version, st, reason(int(st)))]
    for f in h:
        if f[0][:1] != b":":
            out.append(f[0] + b": " + f[1] + b"\r\n")
    out.append(b"\r\n")
    return b"".join(out)


def _text(b):
    # bytes -> str for stderr: UTF-8, else each byte past ASCII as \xNN (a field value may
    # carry obs-text, RFC 9110 §5.5; MicroPython has no "backslashreplace" nor latin-1)
    try:
        return b.decode()
    except UnicodeError:
        return "".join([chr(c) if c < 128 else "\\x%02x" % c for c in b])


def _req_lines(req):
    h = req.headers
    m = h.get(b":method")
    target = h.get(b":authority") if m == b"CONNECT" else h.get(b":path")
    v = req.version
    v = b"1.0" if v == 1.0 else b"2" if v == 2 else b"1.1"
    out = [b"> %s %s HTTP/%s\r\n" % (m, target, v), b"> host: %s\r\n" % h.get(b":authority")]
    for f in h:
        if f[0][:1] != b":":
            out.append(b"> " + f[0] + b": " + f[1] + b"\r\n")
    out.append(b">\r\n")
    return b"".join(out)


def _exit_code(e):
    from mhttp import errors
    import mhttp.request
    msg = str(e)
    if isinstance(e, mhttp.request.RedirectError):
        return 47
    if isinstance(e, errors.Timeout):
        return 28
    if isinstance(e, errors.TLSError):
        low = msg.lower()
        if "certificate" in low or "verif" in low or "cafile" in low or "ca file" in low:
            return 60
        return 35
    if isinstance(e, errors.ProtocolError):
        if msg[:17] == "connection closed":     # mid-head or mid-body (mhttp.h1's texts)
            return 56
        return 8
    if isinstance(e, (errors.ConnectionClosed, OSError)):
        # a name that does not resolve: getaddrinfo's error (CPython "[Errno -2] Name or
        # service not known", macOS "nodename nor servname", MicroPython "[addrinfo
        # error -2]"), curl's 6
        if msg.find("[Errno -") >= 0 or msg.find("addrinfo") >= 0 or \
                msg.find("nodename nor servname") >= 0:
            return 6
        if msg.find("connect to") >= 0 or isinstance(e, OSError):
            return 7
        return 56
    return 1


def _err(msg):
    sys.stderr.write("mhttp get: %s\n" % msg)


def main(argv):
    try:
        o = parse_args(argv)
    except UsageError as e:
        _err(str(e))
        sys.stderr.write(USAGE + "\n")
        return 2
    try:
        req = build_request(o)
    except UsageError as e:
        _err(str(e))
        return 2
    except OSError as e:
        _err("cannot read data file: %s" % (e,))
        return 26
    except ValueError as e:
        _err("bad URL %r: %s" % (o["url"], e))
        return 3
    return run(req, o)


def run(req, o):
    from mhttp import errors
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else sys.stdout
    err = sys.stderr
    verbose = o["verbose"]
    timeout = o["max_time"]
    # -m: a deadline for the whole transfer (each body read waits what is left of it)
    from mhttp._io import ticks_ms, ticks_diff
    from mhttp.stream_common import left
    start = ticks_ms()
    if verbose:
        err.write(_text(_req_lines(req)))
    f = None
    stream = None
    try:
        headers, stream = req.go_blocking(timeout)
        cv = getattr(stream.connection, "version", 1.1)
        ver = b"1.0" if cv == 1.0 else b"2" if cv == 2 else b"1.1"
        p = getattr(stream.connection, "p", None)
        if p is not None and getattr(p, "their_version", None):
            ver = p.their_version
        head = _head_lines(headers, ver)
        if verbose:
            err.write("".join(["< " + _text(ln) + "\n" for ln in head.split(b"\r\n")[:-1]]))
        status = int(headers.get(b":status"))
        if o["fail"] and status >= 400:
            stream.shutdown()
            _err("the requested URL returned error: %d" % status)
            return 22
        # -o FILE: the body, and with -i / -I the head too (as curl); "-o -": stdout
        name = o["output"]
        if name and name != "-":
            try:
                f = open(name, "wb")
            except OSError as e:
                stream.shutdown()
                _err("cannot open %s: %s" % (name, e))
                return 23
            dest = f
        else:
            dest = out
        if o["include"] or o["head"]:
            dest.write(head)
        if o["head"]:
            stream.shutdown()
            return 0
        cl = headers.get(b"content-length")
        total = int(cl) if cl is not None and cl.isdigit() else 0
        bar = (dest is f and not o["silent"] and (o["progress"] or _isatty(err)))
        done = 0
        if bar:
            t0 = last = ticks_ms()
        while True:
            c = stream.get_next_chunk(left(start, timeout) if timeout else READ_TIMEOUT)
            if c is None:
                break
            try:
                dest.write(c)
            except OSError as e:
                stream.shutdown()
                _err("write error: %s" % (e,))
                return 23
            done += len(c)
            if bar:
                now = ticks_ms()
                if ticks_diff(now, last) >= 200:
                    last = now
                    err.write("\r" + progress_line(done, total, ticks_diff(now, t0)))
        if bar:
            err.write("\r" + progress_line(done, total, ticks_diff(ticks_ms(), t0)) + "\n")
        if dest is out:
            try:
                out.flush()
            except Exception:
                pass
        return 0
    except errors.Error as e:
        if stream is not None:
            stream.shutdown()
        _err(str(e))
        return _exit_code(e)
    except OSError as e:
        if stream is not None:
            stream.shutdown()
        _err("network error: %s" % (e,))
        return _exit_code(e)
    finally:
        if f is not None:
            f.close()
