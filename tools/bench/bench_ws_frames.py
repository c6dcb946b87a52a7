# WebSocket frame round trips per second: a client object encodes a masked binary message,
# a server object parses it back into a message event; all in memory, no sockets.
#   .venv/bin/python tools/bench/bench_ws_frames.py [--seconds 1.0]
# Compares mhttp.ws.WSProtocol with wsproto's Connection and websockets' sans-I/O
# Protocol (with its C speedups, and with its pure-Python apply_mask), at 125 B and
# 64 KiB, and prints the ratios.  Also runs on MicroPython for mhttp only:
#   tools/micropython tools/bench/bench_ws_frames.py
import os
import sys
import time

MP = sys.implementation.name == "micropython"
if not MP:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))

from mhttp.ws import WSProtocol, EV_MESSAGE  # noqa: E402


def clock():
    if MP:
        return time.ticks_ms() / 1000.0
    return time.perf_counter()


def run(fn, seconds):
    # Calls fn() in batches until `seconds` have passed; returns calls per second.
    n = 0
    batch = 1
    t0 = clock()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        dt = clock() - t0
        if dt >= seconds:
            return n / dt
        if batch < 4096:
            batch *= 2


def mhttp_case(payload):
    c = WSProtocol(client=True, max_message_size=1 << 20)
    s = WSProtocol(client=False, max_message_size=1 << 20)

    def rt():
        s.receive_data(c.send_message(payload))
        ev = s.next_event()
        assert ev[0] == EV_MESSAGE and len(ev[1]) == len(payload)
    return rt


def wsproto_case(payload):
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import BytesMessage
    c = Connection(ConnectionType.CLIENT)
    s = Connection(ConnectionType.SERVER)

    def rt():
        s.receive_data(c.send(BytesMessage(data=payload)))
        ev = next(s.events())
        assert len(ev.data) == len(payload)
    return rt


def websockets_case(payload, pure=False):
    import websockets.frames as frames
    from websockets.protocol import Protocol, Side
    if pure:
        from websockets.utils import apply_mask
    else:
        from websockets.speedups import apply_mask
    frames.apply_mask = apply_mask
    c = Protocol(Side.CLIENT, max_size=1 << 20)
    s = Protocol(Side.SERVER, max_size=1 << 20)

    def rt():
        c.send_binary(payload)
        s.receive_data(c.data_to_send()[0])
        ev = s.events_received()
        assert len(ev) == 1 and len(ev[0].data) == len(payload)
    return rt


def main(argv):
    seconds = 1.0
    if "--seconds" in argv:
        seconds = float(argv[argv.index("--seconds") + 1])
    sizes = ((125, "125 B"), (65536, "64 KiB"))
    for size, label in sizes:
        payload = bytes([i & 0xFF for i in range(size)])
        rows = [("mhttp.ws", mhttp_case(payload))]
        if not MP:
            rows.append(("wsproto", wsproto_case(payload)))
            rows.append(("websockets (C speedups)", websockets_case(payload)))
            rows.append(("websockets (pure-Python mask)", websockets_case(payload, True)))
        results = []
        for name, fn in rows:
            results.append((name, run(fn, seconds)))
        ours = results[0][1]
        print("%s masked binary frames, client encode + server decode:" % label)
        for name, rate in results:
            print("  %-30s %12.0f round trips/s   mhttp/this = %.2fx" % (name, rate, ours / rate))
        if not MP:
            import websockets.frames as frames
            from websockets.speedups import apply_mask
            frames.apply_mask = apply_mask


main(sys.argv[1:])
