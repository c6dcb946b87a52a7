# python -m mhttp serve [--host H] [--port P] [--cert C --key K] [--max-connections N]
#                       [--idle-timeout S] [--header-timeout S] [--body-timeout S]
#                       [--max-body N] [--streams]
#   /      200 with a short body, any method (a request body is read and dropped)
#   /echo  the request body back, with its content-type
#   /ws    WebSocket echo (mhttp.websocket; HTTP/1.1 upgrade or HTTP/2 extended CONNECT)
#   other  404
# Prints "listening on http(s)://H:P" once bound.  Exit status: 0, 2 on bad options, 1
# when it cannot start (the port is in use, a certificate or key does not load): one line
# on stderr, no traceback.
import sys

from mhttp.headers import Headers

_USAGE = ("usage: mhttp serve [--host H] [--port P] [--cert C --key K] [--max-connections N] "
          "[--idle-timeout S] [--header-timeout S] [--body-timeout S] [--max-body N] [--streams]")

HELLO = b"Hello, World!"  # 13 bytes, the body the benchmark peers answer with
_HELLO_LEN = b"%d" % len(HELLO)


async def handler(server, stream):
    req = await stream.get_headers()
    method = req.get(b":method")
    path = req.get(b":path") or b"/"
    q = path.find(b"?")
    if q >= 0:
        path = path[:q]
    if path == b"/":
        # Read and drop any body (also sends 100 Continue when the client waits for it).
        while (await stream.get_next_chunk()) is not None:
            pass
        h = Headers._trusted([(b":status", b"200", False), (b"content-type", b"text/plain", False),
                              (b"content-length", _HELLO_LEN, False)])
        if method == b"HEAD":
            await stream.write_headers(h, True)
        else:
            await stream.write_headers(h, False)
            await stream.write_chunk(HELLO, True)
    elif path == b"/ws":
        await ws_echo(stream, req)
    elif path == b"/echo":
        # The body is streamed back as it arrives (no whole-body buffer).  The first read
        # comes before our head, so a client waiting on Expect: 100-continue gets its 100.
        ct = req.get(b"content-type") or b"application/octet-stream"
        n = req.get(b"content-length")
        c = await stream.get_next_chunk()
        h = Headers(((b":status", b"200"), (b"content-type", ct)))
        if n is not None:
            h.append(b"content-length", n)   # else chunked (a chunked upload)
        await stream.write_headers(h, method == b"HEAD")
        while c is not None:
            if method != b"HEAD":
                await stream.write_chunk(c, False)
            c = await stream.get_next_chunk()
        if method != b"HEAD":
            await stream.write_chunk(b"", True)
    else:
        while (await stream.get_next_chunk()) is not None:
            pass
        body = b"not found\n"
        await stream.write_headers(Headers(((b":status", b"404"), (b"content-type", b"text/plain"),
                                            (b"content-length", b"%d" % len(body)))),
                                   method == b"HEAD")
        if method != b"HEAD":
            await stream.write_chunk(body, True)


async def ws_echo(stream, req):
    # /ws: a WebSocket echo (text and binary, permessage-deflate offered), over HTTP/1.1
    # (101) and HTTP/2 (RFC 8441 extended CONNECT).  Anything else there gets 400/426.
    # (the server half straight from mhttp._ws_server; HandshakeError, in mhttp._ws_hserr,
    # is loaded only by a refusal: board heap)
    from mhttp._ws_server import new_from_stream, reject
    from mhttp.errors import Error, ProtocolError
    try:
        ws = new_from_stream(stream, req)
    except ProtocolError as e:
        from mhttp._ws_hserr import HandshakeError
        if not isinstance(e, HandshakeError):
            raise
        if req.get(b":method") != b"CONNECT":
            # (a request body is read first; an extended CONNECT's never ends: it is
            # refused at once, and the stream reset with NO_ERROR after the answer)
            while (await stream.get_next_chunk()) is not None:
                pass
        await reject(stream, e)
        return
    await ws.accept()
    try:
        while True:
            m = await ws.receive()
            if m is None:
                break
            # (no opcode argument: receive gives str for text, bytes for binary, and
            # send picks the same opcode from the type; naming it loads mhttp._ws_more,
            # ~2.3 KB of board heap from ROMFS, for its opcode table)
            await ws.send(m[0])
    except Error:
        ws.abort()    # a protocol error (its close frame is already sent), a reset, a timeout


def parse_args(argv):
    o = {"host": "127.0.0.1", "port": 8000, "cert": None, "key": None, "max_connections": 64,
         "idle_timeout": 60.0, "header_timeout": 10.0, "body_timeout": 30.0, "streams": False,
         "max_body": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(_USAGE)
            return None
        if a == "--streams":
            o["streams"] = True
            i += 1
            continue
        if not a.startswith("--") or i + 1 >= len(argv):
            raise ValueError("bad argument %r" % a)
        k = a[2:].replace("-", "_")
        if k not in o:
            raise ValueError("unknown option %r" % a)
        v = argv[i + 1]
        if k in ("port", "max_connections", "max_body"):
            v = int(v)
        elif k.endswith("timeout"):
            v = float(v)
        o[k] = v
        i += 2
    if (o["cert"] is None) != (o["key"] is None):
        raise ValueError("--cert and --key go together")
    return o


def make_server(o, onstream=None):
    # A Server from parsed options (also used by tests_host/_server_app.py).
    from mhttp import server as mserver
    tls = (o["cert"], o["key"]) if o["cert"] else None
    kw = {}
    if o["max_body"] is not None:
        kw["max_body"] = o["max_body"]
    return mserver.listen(onstream or handler, host=o["host"], port=o["port"], tls=tls,
                          max_connections=o["max_connections"], idle_timeout=o["idle_timeout"],
                          header_timeout=o["header_timeout"], body_timeout=o["body_timeout"],
                          streams=o["streams"], **kw)


def main(argv, onstream=None):
    import asyncio
    try:
        o = parse_args(argv)
    except ValueError as e:
        print("mhttp serve: %s\n%s" % (e, _USAGE))
        return 2
    if o is None:
        return 0
    tls = o["cert"]
    from mhttp.errors import Error
    failed = []
    try:
        srv = make_server(o, onstream)
    except (OSError, Error) as e:
        failed.append(e)

    async def run():
        try:
            await srv.listen()
        except (OSError, Error) as e:
            failed.append(e)
            return
        name = srv.localname()
        print("listening on %s://%s:%d" % ("https" if tls else "http", name[0], name[1]))
        if hasattr(sys.stdout, "flush"):
            sys.stdout.flush()
        await srv.loop()

    try:
        if not failed:
            asyncio.run(run())
    except KeyboardInterrupt:
        pass
    if failed:
        sys.stderr.write("mhttp serve: cannot listen on %s:%s: %s\n" % (o["host"], o["port"],
                                                                       failed[0]))
        return 1
    return 0
