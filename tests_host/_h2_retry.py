# mhttp.request retrying an HTTP/2 request the server did not process (RFC 9113 §8.7),
# portable (CPython and the MicroPython unix port), for tests_host/test_h2_drain.py:
#   python tests_host/_h2_retry.py SCENARIO PORT
# A raw HTTP/2 server (the sans-I/O core mhttp.h2 over asyncio streams) in the same
# process as our client.  Prints "KEY value" lines, then END.
#   refused  the server answers RST_STREAM(REFUSED_STREAM) the first time it sees a path
#            starting with /refuse (later: 200 "again PATH BODY"): GET, POST with bytes,
#            a rewindable file, an iterator not read yet (100-continue pending) are sent
#            again; an iterator already read is not (H2StreamError 7)
#   goaway   GET /a in flight; the server sends GOAWAY(NO_ERROR, last 1), and answers /a
#            once a second connection came; POST /b given the GOAWAY'd connection fails
#            before it is sent: /a completes (the shared connection is not aborted by
#            /b's failure) and /b (not processed) is sent on a new connection
import sys

try:
    import _mhttp_port  # noqa: F401
except ImportError:
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [os.path.join(root, "lib"), os.path.join(root, "ports", "cpython")]

import asyncio
import io
from mhttp.h2 import H2Protocol, EV_HEADERS, EV_DATA
from _h2_raw import flush, end

live = [0]      # server connections not ended yet


async def until(cond, timeout=5.0):
    for _ in range(int(timeout * 100)):
        if cond():
            return True
        await asyncio.sleep(0.01)
    return cond()


def raw_server(port, mode, seen):
    refused = {}

    async def conn(r, w):
        seen.append(len(seen))
        live[0] += 1
        first = len(seen) == 1
        p = H2Protocol(client=False)
        p.initiate_connection()
        paths = {}
        bodies = {}
        held = []

        def answer(sid):
            p.send_headers(sid, [(b":status", b"200")])
            p.send_data(sid, b"again " + paths[sid] + b" " + bodies.get(sid, b""), True)

        err = None
        try:
            for _ in range(400):
                await flush(p, w)
                if held and len(seen) > 1:
                    for sid in held:
                        p.send_headers(sid, [(b":status", b"200")])
                        p.send_data(sid, b"answer " + paths[sid], True)
                    held = []
                    continue
                try:
                    d = await asyncio.wait_for(r.read(65536), 0.05 if held else 10)
                except asyncio.TimeoutError:
                    continue
                if not d:
                    break
                for ev in p.receive_data(d):
                    if ev[0] == EV_HEADERS:
                        sid = ev[1]
                        h = ev[2]
                        path = h.get(b":path")
                        paths[sid] = path
                        if path.startswith(b"/refuse") and path not in refused:
                            refused[path] = 1
                            p.reset_stream(sid, 7)
                            del paths[sid]      # (its DATA, if any, is dropped)
                        elif mode == "goaway" and first:
                            if p.goaway_sent is None:
                                p.close_connection(0, 1)
                            if sid == 1:
                                held.append(sid)
                        elif ev[3]:
                            answer(sid)
                        elif h.get(b"expect") == b"100-continue":
                            p.send_headers(sid, [(b":status", b"100")])
                    elif ev[0] == EV_DATA and ev[1] in paths:
                        bodies[ev[1]] = bodies.get(ev[1], b"") + ev[2]
                        if ev[3]:
                            p.acknowledge_received_data(ev[3], ev[1])
                        if ev[4]:
                            answer(ev[1])
        except Exception as e:
            err = e
        await end(w, err)
        live[0] -= 1
    return asyncio.start_server(conn, "127.0.0.1", port)


async def main(mode, port):
    from mhttp import request
    from mhttp import errors
    seen = []
    srv = await raw_server(port, mode, seen)

    def req(path, method=b"GET", body=None, expect=True):
        r = request.new_from_uri("http://127.0.0.1:%d%s" % (port, path))
        r.version = 2
        r.expect_100_timeout = 5
        if method != b"GET":
            r.headers.upsert(b":method", method)
        if body is not None:
            r.set_body(body)
            if not expect:
                r.headers.delete(b"expect")
        return r

    async def one(r):
        try:
            h, st = await r.go(10)
            return (h.get(b":status"), await st.get_body_as_string(10))
        except errors.H2StreamError as e:
            return ("H2StreamError", e.code)
        except Exception as e:
            return (e.__class__.__name__, str(e))

    if mode == "refused":
        print("GET", await one(req("/refuse/get")))
        print("POST", await one(req("/refuse/post", b"POST", b"abc")))
        print("STR", await one(req("/refuse/str", b"PUT", "h\u00e9")))
        print("FILE", await one(req("/refuse/file", b"POST", io.BytesIO(b"f" * 3000))))
        consumed = []

        def gen(parts):
            for x in parts:
                consumed.append(x)
                yield x
        print("ITER_UNREAD", await one(req("/refuse/gen", b"POST", gen([b"g", b"h"]))),
              consumed)
        consumed[:] = []
        print("ITER_READ", await one(req("/refuse/iter", b"POST", gen([b"i", b"j"]),
                                         expect=False)), len(consumed) > 0)
        print("CONNS", len(seen))
    else:
        # /a in flight on the pooled connection, which then gets GOAWAY(last 1); /b is
        # handed that connection by a pool that does not look (Request.pool may be any
        # Pool: the race between Pool.get and new_stream, which our Pool closes within
        # one step of a task) and fails before it is sent
        ta = asyncio.create_task(one(req("/a")))
        ok = await until(lambda: request.POOL.entries and
                         request.POOL.entries[0][1].goaway is not None)
        conn = request.POOL.entries[0][1]

        class Once(request.Pool):
            def get(self, key):
                if conn is not None and not self.entries and self.reused == 0:
                    self.reused = 1
                    return conn
                return request.Pool.get(self, key)
        rb = req("/b", b"POST", b"x")
        rb.pool = Once()
        b = await one(rb)
        print("GOAWAY", ok, [await ta, b], len(seen))
        rb.pool.close_all()
    request.POOL.close_all()
    print("ENDED", await until(lambda: live[0] == 0))
    srv.close()
    try:
        await srv.wait_closed()
    except Exception:
        pass
    print("END")


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
