# Tiny helpers shared by the portable tests (run by pytest on CPython and by
# tools/mptest.py on MicroPython).  No pytest import: these files must run on a board.
import sys

MICROPYTHON = sys.implementation.name == "micropython"


def raises(exc, fn, *args, **kw):
    # Calls fn and returns the exception it raised, which must be an `exc`.
    try:
        fn(*args, **kw)
    except exc as e:
        return e
    raise AssertionError("%s did not raise %s" % (getattr(fn, "__name__", fn), exc.__name__))


def feed_bytewise(feed, data):
    # Feeds data one byte at a time through feed(bytes) and collects what it returns.
    out = []
    for i in range(len(data)):
        r = feed(data[i:i + 1])
        if r:
            out.extend(r)
    return out


def events(p, limit=1000, last=None):
    # p.next_event() until it gives None, or after an event whose ev[0] is `last` (kept);
    # more than `limit` events is an AssertionError (a machine that never stops).
    out = []
    for _ in range(limit):
        ev = p.next_event()
        if ev is None:
            return out
        out.append(ev)
        if last is not None and ev[0] == last:
            return out
    raise AssertionError("too many events")


# A scripted I/O object for connection drivers (the _io contract: recv/send/close/abort,
# peername/localname/alpn), shared by the h1 connection and request tests.
TIMEOUT = object()


class ScriptIO:
    # recv() hands out the scripted chunks in order (b"" = EOF; TIMEOUT = a timeout);
    # send() records what was written.
    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.sent = []
        self.closed = False
        self.tls = False

    async def recv(self, timeout=None):
        if not self.chunks:
            return b""
        c = self.chunks.pop(0)
        if c is TIMEOUT:
            from mhttp.errors import Timeout
            raise Timeout("scripted timeout")
        return c

    async def send(self, pieces, timeout=None):
        for p in pieces:
            self.sent.append(bytes(p))

    def wire(self):
        return b"".join(self.sent)

    async def close(self):
        self.closed = True

    def abort(self):
        self.closed = True

    def peername(self):
        return ("127.0.0.1", 1)

    def localname(self):
        return ("127.0.0.1", 2)

    def alpn(self):
        return None


def raise_sites(paths, pattern):
    # (path, line number, N, comment) for each raise site in the source files `paths`:
    # a line matching the regular expression `pattern` (its group 1: the text's number N)
    # that is not a def, with its comment: after "  # " on the line, else the comment
    # lines just above it joined.  CPython only (the tests checking each raise site's
    # comment against its text table; MicroPython's re has no \b).
    import re
    for path in paths:
        src = open(path, encoding="utf-8").read().split("\n")
        for i, line in enumerate(src):
            m = re.search(pattern, line)
            if m is None or line.lstrip().startswith("def "):
                continue
            if "  # " in line:
                comment = line.split("  # ", 1)[1]
            else:
                k = i
                parts = []
                while src[k - 1].lstrip().startswith("#"):
                    k -= 1
                    parts.insert(0, src[k].lstrip()[1:].strip())
                comment = " ".join(parts)
            yield path, i + 1, int(m.group(1)), comment
