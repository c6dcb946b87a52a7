# Races of mhttp.server.close() with HTTP/2 connections (tests_host/test_h2_drain_races.py
# runs this on CPython and the MicroPython unix port), found in review:
#   late     an h2 connection accepted before close() sends its preface and a request
#            whose handler never ends after close() began: at close()'s timeout that
#            handler task is cancelled too (the first h2 handler of the server, so the
#            server's task set is made during close()'s wait)
#   silent   the same with no other connection: close() returns at once, and the
#            connection's later request is not served (nor its handler left running)
#   upgrade  close() while an `Upgrade: h2c` request is being switched (the 101 write
#            delayed 0.2 s): the new HTTP/2 connection gets GOAWAY, stream 1 its answer,
#            and the lingering close keeps the client's late bytes from resetting it
#   python _h2_drain_races.py MODE PORT
import sys
import asyncio
from _h2_drain import Cli, RUNNING, report, ticks, since, app, tasks_left
from mhttp import server as mserver
from mhttp import _server_h2
from mhttp.h2 import H2Protocol, EV_DATA, EV_GOAWAY

async def late(port, busy=True):
    # busy: with an HTTP/1.1 request in flight (A) that close() waits for; B: an HTTP/2
    # client connected before close() that sends its preface and a request after
    srv = mserver.listen(app, host="127.0.0.1", port=port, http2=True)
    await srv.listen()
    if busy:
        # A: an HTTP/1.1 request in flight (its handler takes 0.5 s): close() waits for it
        ra, wa = await asyncio.open_connection("127.0.0.1", port)
        wa.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        await wa.drain()
    # B: TCP connected, nothing sent yet
    b = Cli()
    b.r, b.w = await asyncio.open_connection("127.0.0.1", port)
    await asyncio.sleep(0.2)
    print("H2TASKS_BEFORE", srv._h2tasks, "conns", len(srv.conns))
    t0 = ticks()
    closer = asyncio.create_task(srv.close(1.5))
    await asyncio.sleep(0.05)
    b.p = H2Protocol(client=True)
    b.p.initiate_connection()
    b.bodies = {}
    b.done = {}
    b.resets = {}
    b.goaways = []
    b.eof = None
    await b.flush()
    await b.get(b"/never")
    await closer
    print("CLOSE_RETURNED", since(t0), "RUNNING", RUNNING[0], "tasks", tasks_left(),
          "h2tasks", len(srv._h2tasks), "conns", len(srv.conns))
    await asyncio.sleep(1.0)
    print("ONE_S_LATER RUNNING", RUNNING[0], "tasks", tasks_left())
    if busy:
        print("A", (await ra.read(200))[:15])
    else:
        await b.pump(3)
        print("B_BODIES", b.bodies, "GOAWAYS", b.goaways)


async def silent(port):
    await late(port, False)


_orig = _server_h2._h2c_upgrade


async def _slow(self, conn, stream):
    await asyncio.sleep(0.2)
    return await _orig(self, conn, stream)


async def upgrade(port):
    mserver.Server._h2c_upgrade = _slow
    srv = mserver.listen(app, host="127.0.0.1", port=port)
    await srv.listen()
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
    await w.drain()
    await asyncio.sleep(0.1)
    t0 = ticks()
    closer = asyncio.create_task(srv.close(3))
    buf = b""
    for _ in range(50):
        buf += await asyncio.wait_for(r.read(4096), 5)
        if b"\r\n\r\n" in buf:
            break
    head, _, rest = buf.partition(b"\r\n\r\n")
    print("HEAD", head.split(b"\r\n")[0])
    p = H2Protocol(client=True)
    p.initiate_upgrade_connection(None, None, b"GET")
    w.write(p.data_to_send()); await w.drain()
    goaways, bodies = [], {}
    sent = []
    evs = p.receive_data(rest) if rest else []
    for _ in range(200):
        for ev in evs:
            if ev[0] == EV_GOAWAY:
                goaways.append((ev[1], ev[2]))
            elif ev[0] == EV_DATA:
                bodies[ev[1]] = bodies.get(ev[1], b"") + bytes(ev[2])
                p.acknowledge_received_data(ev[3], ev[1])
        if 1 in bodies and not sent and not goaways:
            sid = p.get_next_available_stream_id()
            sent.append(sid)
            p.send_headers(sid, [(b":method", b"GET"), (b":path", b"/new"), (b":scheme", b"http"), (b":authority", b"x")], True)
        d = p.data_to_send()
        if d:
            w.write(d); await w.drain()
        try:
            d = await asyncio.wait_for(r.read(65536), 5)
        except asyncio.TimeoutError:
            print("READ_TIMEOUT after", since(t0)); break
        if not d:
            break
        evs = p.receive_data(d)
    await closer
    print("CLOSE_TOOK", since(t0), "GOAWAYS", goaways, "NEW_STREAM_SENT", sent, "BODIES", sorted(bodies.items()))
    report(srv)


mode = sys.argv[1]
asyncio.run({"late": late, "silent": silent, "upgrade": upgrade}[mode](int(sys.argv[2])))
print("END")
