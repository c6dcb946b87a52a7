# In-memory HTTP/2 request/response exchanges per second: mhttp.h2 against the `h2`
# package, no sockets.  One exchange = a new stream on an existing connection: the
# client sends a GET with 8 header fields, the server reads it and answers 200 with 3
# header fields and a 13-byte body, the client reads the response and acknowledges the
# data.  Both sides read and write, on both libraries.
#   .venv/bin/python tools/bench/bench_h2_mem.py [--n 20000] [--repeat 5]
#   tools/micropython tools/bench/bench_h2_mem.py --n 2000      (mhttp only)
#   tools/micropython tools/bench/bench_h2_mem.py --mem         (import/connection RAM)
import sys
import time

if sys.implementation.name != "micropython":
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))

REQ = [(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/index.html"),
       (b":authority", b"example.com"), (b"user-agent", b"bench/1.0"),
       (b"accept", b"text/html,application/xhtml+xml"), (b"accept-encoding", b"gzip, br"),
       (b"accept-language", b"en-US,en;q=0.9")]
RESP = [(b":status", b"200"), (b"content-type", b"text/plain"), (b"content-length", b"13")]
BODY = b"hello, world\n"


def _clock():
    if hasattr(time, "perf_counter"):
        return time.perf_counter()
    return time.ticks_ms() / 1000.0


def bench_mhttp(n):
    from mhttp.h2 import H2Protocol, EV_HEADERS, EV_DATA
    c = H2Protocol(client=True)
    s = H2Protocol(client=False)
    c.initiate_connection()
    s.initiate_connection()
    s.receive_data(c.data_to_send())
    c.receive_data(s.data_to_send())
    s.receive_data(c.data_to_send())
    t0 = _clock()
    done = 0
    for _ in range(n):
        sid = c.get_next_available_stream_id()
        c.send_headers(sid, REQ, True)
        for ev in s.receive_data(c.data_to_send()):
            if ev[0] == EV_HEADERS:
                s.send_headers(ev[1], RESP)
                s.send_data(ev[1], BODY, True)
        for ev in c.receive_data(s.data_to_send()):
            if ev[0] == EV_DATA:
                c.acknowledge_received_data(ev[3], ev[1])
                if ev[4]:
                    done += 1
    dt = _clock() - t0
    assert done == n, done
    return n / dt


def bench_h2(n):
    import h2.config
    import h2.connection
    import h2.events
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    s = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    c.initiate_connection()
    s.initiate_connection()
    s.receive_data(c.data_to_send())
    c.receive_data(s.data_to_send())
    s.receive_data(c.data_to_send())
    c.receive_data(s.data_to_send())
    RH = h2.events.RequestReceived
    DR = h2.events.DataReceived
    t0 = _clock()
    done = 0
    for _ in range(n):
        sid = c.get_next_available_stream_id()
        c.send_headers(sid, REQ, end_stream=True)
        for ev in s.receive_data(c.data_to_send()):
            if ev.__class__ is RH:
                s.send_headers(ev.stream_id, RESP)
                s.send_data(ev.stream_id, BODY, end_stream=True)
        for ev in c.receive_data(s.data_to_send()):
            if ev.__class__ is DR:
                c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if ev.stream_ended is not None:
                    done += 1
    dt = _clock() - t0
    assert done == n, done
    return n / dt


def mem():
    import gc
    gc.collect()
    a = gc.mem_alloc()
    import mhttp.errors
    import mhttp.headers
    import mhttp.hpack
    gc.collect()
    b = gc.mem_alloc()
    import mhttp.h2_frames
    import mhttp.h2
    gc.collect()
    c = gc.mem_alloc()
    p = mhttp.h2.H2Protocol(client=True)
    gc.collect()
    d = gc.mem_alloc()
    p.initiate_connection()
    p.data_to_send()
    gc.collect()
    e = gc.mem_alloc()
    print("import errors+headers+hpack: %d bytes" % (b - a))
    print("import h2_frames+h2:         %d bytes" % (c - b))
    print("H2Protocol() object:         %d bytes" % (d - c))
    print("after initiate_connection:   %d bytes" % (e - c))


def main(argv):
    n = 20000
    repeat = 5
    if "--mem" in argv:
        mem()
        return
    if "--n" in argv:
        n = int(argv[argv.index("--n") + 1])
    if "--repeat" in argv:
        repeat = int(argv[argv.index("--repeat") + 1])
    ours = max([bench_mhttp(n) for _ in range(repeat)])
    print("mhttp.h2: %9.0f exchanges/s" % ours)
    if sys.implementation.name == "micropython":
        return
    theirs = max([bench_h2(n // 4) for _ in range(repeat)])
    print("h2 %s:  %9.0f exchanges/s" % (__import__("h2").__version__, theirs))
    print("ratio:    %9.2fx" % (ours / theirs))


main(sys.argv[1:])
