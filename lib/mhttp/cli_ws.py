# python -m mhttp ws URL [options]      (MicroPython: micropython -m mhttp ws URL ...)
# URL: ws:// or wss:// (a http:// or https:// URL is refused: exit 2).
#
# A small interactive WebSocket client, like websocat: each line read from stdin is sent
# as a text message (--binary: a binary message) without its line ending; each message
# received is written to stdout followed by a newline (text as UTF-8, binary as raw
# bytes).  End of input (Ctrl-D, or the end of a pipe) starts the closing handshake once
# no message came for --linger seconds; the messages still arriving before the server's
# close frame are printed, then the program exits.  Exit status: 0 after a clean close (1000 / 1001 / 1005), 1 when the server
# closed with another code or the connection failed, 2 for bad arguments.
#
# Options:
#   --protocol P        offer subprotocol P (repeatable)
#   --binary            send lines as binary messages
#   --no-compression    do not offer permessage-deflate
#   --header "N: V"     an extra request header field (repeatable)
#   --origin O          an Origin field
#   --cafile F          CA bundle for wss:// (MicroPython has no system store)
#   -k, --insecure      no certificate verification
#   --max-size N        largest message accepted (bytes)
#   --timeout S         connect / handshake time limit (default 10)
#   --close-timeout S   how long to wait for the server's close frame (default 3)
#   --linger S          at end of input, wait until no message came for S seconds before
#                       closing (default 0.5; replies to the last lines arrive meanwhile)
#   --http2             RFC 8441 over HTTP/2 (needs HTTP/2 in mhttp.client)
#   -q, --quiet         no status lines on stderr
#
# How: the blocking face of mhttp.websocket (no asyncio needed) and select.poll over the
# socket and stdin, the same on CPython and MicroPython.  stdin is read with os.read on
# CPython (no hidden buffer between poll and read) and readline on MicroPython (its stdin
# reads unbuffered).  Without select.poll (some ports) the lines are all sent first and
# the replies read afterwards.
import sys

_USAGE = ("usage: mhttp ws URL [--protocol P] [--binary] [--no-compression] [--header 'N: V'] "
          "[--origin O] [--cafile F] [-k] [--max-size N] [--timeout S] [--close-timeout S] [--linger S] "
          "[--http2] [-q]")


def parse_args(argv):
    o = {"url": None, "protocols": [], "binary": False, "compression": True, "headers": [],
         "origin": None, "cafile": None, "verify": True, "max_size": None, "timeout": 10.0,
         "close_timeout": 3.0, "linger": 0.5, "http2": False, "quiet": False}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(_USAGE)
            return None
        flag = {"--binary": ("binary", True), "--no-compression": ("compression", False),
                "-k": ("verify", False), "--insecure": ("verify", False),
                "--http2": ("http2", True), "-q": ("quiet", True),
                "--quiet": ("quiet", True)}.get(a)
        if flag is not None:
            o[flag[0]] = flag[1]
            i += 1
            continue
        if not a.startswith("-"):
            if o["url"] is not None:
                raise ValueError("more than one URL")
            o["url"] = a
            i += 1
            continue
        if i + 1 >= len(argv):
            raise ValueError("%s needs a value" % a)
        v = argv[i + 1]
        if a == "--protocol":
            o["protocols"].append(v)
        elif a == "--header":
            n, sep, val = v.partition(":")
            if not sep or not n.strip():
                raise ValueError("bad --header %r (want 'Name: value')" % v)
            o["headers"].append((n.strip().lower().encode(), val.strip().encode()))
        elif a in ("--origin", "--cafile"):
            o[a[2:]] = v
        elif a == "--max-size":
            o["max_size"] = int(v)
        elif a in ("--timeout", "--close-timeout", "--linger"):
            o[a[2:].replace("-", "_")] = float(v)
        else:
            raise ValueError("unknown option %r" % a)
        i += 2
    if o["url"] is None:
        raise ValueError("a ws:// or wss:// URL is needed")
    scheme = o["url"].partition("://")[0].lower()
    if scheme != "ws" and scheme != "wss":
        # (mhttp.websocket takes http(s):// too, as lua-http; this command's usage is
        # ws:// or wss://, so a http:// URL is more likely a mistake for `mhttp get`)
        raise ValueError("%r is not a ws:// or wss:// URL" % o["url"])
    return o


def _err(o, msg):
    if not o["quiet"]:
        sys.stderr.write(msg + "\n")


class _Out:
    def __init__(self):
        self.b = getattr(sys.stdout, "buffer", None)

    def message(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.b is not None:
            self.b.write(data)
            self.b.write(b"\n")
            if hasattr(self.b, "flush"):
                self.b.flush()
        else:
            sys.stdout.write(data.decode() + "\n")
        if hasattr(sys.stdout, "flush"):
            sys.stdout.flush()


class _Lines:
    # Lines from stdin, without their line ending; None at EOF.
    def __init__(self):
        self.fd = None
        self.buf = b""
        self.eof = False
        if sys.implementation.name != "micropython":
            try:
                self.fd = sys.stdin.fileno()
            except Exception:
                self.fd = None

    def read_some(self):
        # One read (called when poll says stdin is readable): returns a list of lines.
        if self.fd is not None:
            import os
            data = os.read(self.fd, 65536)
            if not data:
                self.eof = True
                rest, self.buf = self.buf, b""
                return [rest] if rest else []
            self.buf += data
            parts = self.buf.split(b"\n")
            self.buf = parts.pop()
            return [p[:-1] if p.endswith(b"\r") else p for p in parts]
        line = sys.stdin.readline()
        if not line:
            self.eof = True
            return []
        if isinstance(line, str):
            line = line.encode()
        if line.endswith(b"\n"):
            line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
        return [line]


def _send_line(ws, o, line):
    if o["binary"]:
        ws.send(line, "binary")
    else:
        try:
            text = line.decode()
        except UnicodeError:
            text = None
        if text is None:
            ws.send(line, "binary")
        else:
            ws.send(text, "text")


def _drain(ws, out, wait):
    # Prints the messages that are already here (wait 0) or arrive within `wait` seconds.
    # Returns False once the connection is closed.
    from mhttp.errors import Timeout
    while True:
        try:
            m = ws.receive(wait)
        except Timeout:
            return True
        if m is None:
            return False
        out.message(m[0])


def run(o):
    from mhttp import websocket
    from mhttp.errors import Error, WSError, Timeout
    kw = {"compression": o["compression"], "blocking": True}
    if o["max_size"] is not None:
        kw["max_message_size"] = o["max_size"]
    if o["headers"]:
        kw["headers"] = o["headers"]
    if o["origin"]:
        kw["origin"] = o["origin"]
    if o["cafile"]:
        kw["cafile"] = o["cafile"]
    if not o["verify"]:
        kw["verify"] = False
    if o["http2"]:
        kw["version"] = 2
    ws = websocket.new_from_uri(o["url"], o["protocols"] or None, **kw)
    ws.close_timeout = o["close_timeout"]
    try:
        ws.connect(o["timeout"])
    except Error as e:
        _err(o, "mhttp ws: cannot connect: %s" % (e,))
        return 1
    _err(o, "connected to %s%s" % (o["url"], (" (protocol %s)" % ws.protocol) if ws.protocol else ""))
    out = _Out()
    lines = _Lines()
    try:
        poll = None
        try:
            import select
            poll = select.poll()
        except (ImportError, AttributeError):
            poll = None
        if poll is None:
            # No poll: send everything, then read what comes back.
            while not lines.eof:
                for line in lines.read_some():
                    _send_line(ws, o, line)
        else:
            sock = ws.unwrap().connection.io.sock
            poll.register(sock, select.POLLIN)
            stdin = lines.fd if lines.fd is not None else sys.stdin
            poll.register(stdin, select.POLLIN)
            # Bounded: each round either reads something or waits at most 1 s; a closed
            # connection or the end of stdin ends the loop.
            while not lines.eof:
                evs = poll.poll(1000)
                if not _drain(ws, out, 0.001 if ws.unwrap().tls else 0):
                    break
                for ev in evs:
                    obj = ev[0]
                    if obj is sock or obj == getattr(sock, "fileno", lambda: -1)():
                        if not _drain(ws, out, 0.05):
                            lines.eof = True    # the server closed: stop reading stdin
                            break
                    elif ev[1] & (select.POLLIN | select.POLLHUP | select.POLLERR):
                        for line in lines.read_some():
                            _send_line(ws, o, line)
        if ws.ready_state == websocket.OPEN and lines.eof and o["linger"] > 0:
            # Replies to the last lines: a peer that reads our close frame first may drop
            # the replies it has not sent yet (websockets does), so wait for a quiet spell.
            _drain(ws, out, o["linger"])
        if ws.ready_state == websocket.OPEN:
            ws.close(1000, "", None, False)
        # Replies still in flight, then the server's close frame (each wait bounded by
        # close_timeout; receive() returns None once the close frame is here).
        if ws.ready_state != websocket.CLOSED:
            _drain(ws, out, o["close_timeout"])
    except WSError as e:
        _err(o, "mhttp ws: protocol error: %s (close code %d)" % (e, e.close_code))
        ws.abort()
        return 1
    except Error as e:
        _err(o, "mhttp ws: %s" % (e,))
        ws.abort()
        return 1
    if ws.ready_state != websocket.CLOSED:
        ws.abort()
        _err(o, "closed (no close frame from the server within %ss)" % o["close_timeout"])
        return 1
    code = ws.close_code
    _err(o, "closed %s%s" % (code, (" " + ws.close_reason) if ws.close_reason else ""))
    return 0 if code in (1000, 1001, 1005) else 1


def main(argv):
    try:
        o = parse_args(argv)
    except ValueError as e:
        print("mhttp ws: %s\n%s" % (e, _USAGE))
        return 2
    if o is None:
        return 0
    try:
        return run(o)
    except KeyboardInterrupt:
        return 130
