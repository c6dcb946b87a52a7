# tests_host/test_h2_drain_races.py's pool scenario (CPython and MicroPython): a pooled
# HTTP/2 connection that got GOAWAY(NO_ERROR, last 1) with stream 1 in
# flight; the server answers stream 1 and keeps the TCP connection open (RFC 9113 §6.8
# allows it).  After stream 1 ends, is the GOAWAY'd connection dropped from mhttp.request's
# pool and closed?  Usage: python _h2_pool_goaway.py PORT
import sys
try:
    import _mhttp_port  # noqa
except ImportError:
    import os; R = os.environ.get("R", "/work/main"); sys.path[:0] = [R + "/lib", R + "/ports/cpython"]
import asyncio
from mhttp.h2 import H2Protocol, EV_HEADERS
from mhttp import request
from _h2_raw import flush

PORT = int(sys.argv[1])
release = asyncio.Event()
seen = []

async def conn(r, w):
    seen.append(1)
    first = len(seen) == 1
    p = H2Protocol(client=False)
    p.initiate_connection()
    try:
        for _ in range(400):
            await flush(p, w)
            if first and release.is_set() and 1 in pending:
                pending.remove(1)
                p.send_headers(1, [(b":status", b"200")])
                p.send_data(1, b"answer 1", True)
                continue
            try:
                d = await asyncio.wait_for(r.read(65536), 0.05)
            except asyncio.TimeoutError:
                continue
            if not d:
                break
            for ev in p.receive_data(d):
                if ev[0] == EV_HEADERS:
                    if first:
                        pending.append(ev[1])
                        p.close_connection(0, 1)     # GOAWAY(last 1), stream 1 kept
                    else:
                        p.send_headers(ev[1], [(b":status", b"200")])
                        p.send_data(ev[1], b"again", True)
    except Exception as e:
        print("SERVER_ERR", repr(e))
    w.close()

pending = []

def state():
    return [(id(c) % 1000, c.goaway is not None, len(c.streams), c.closed, c.error is not None)
            for k, c in request.POOL.entries]

async def one(path):
    r = request.new_from_uri("http://127.0.0.1:%d%s" % (PORT, path))
    r.version = 2
    h, st = await r.go(10)
    return h.get(b":status"), await st.get_body_as_string(10)

async def main():
    srv = await asyncio.start_server(conn, "127.0.0.1", PORT)
    t1 = asyncio.create_task(one("/a"))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if request.POOL.entries and request.POOL.entries[0][1].goaway is not None:
            break
    print("AFTER_GOAWAY", state())
    print("B", await one("/b"))
    release.set()
    print("A", await t1)
    await asyncio.sleep(0.3)
    print("AFTER_A", state())
    for i in range(3):
        print("C", await one("/c%d" % i))
    await asyncio.sleep(0.3)
    print("LATER", state(), "server conns", len(seen))
    request.POOL.close_all()
    srv.close()
    await asyncio.sleep(0.2)
    request.POOL.close_all()
    srv.close()
    print("END")

asyncio.run(main()) if hasattr(asyncio, "run") else asyncio.get_event_loop().run_until_complete(main())
