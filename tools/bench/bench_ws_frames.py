# WebSocket frame round trips per second: a client object encodes a masked binary message,
# a server object parses it back into a message event; all in memory, no sockets.
#   .venv/bin/python tools/bench/bench_ws_frames.py [--seconds 1.0] [--rounds 3]
# Compares mhttp.ws.WSProtocol with wsproto's Connection and websockets' sans-I/O
# Protocol (with its C speedups, and with its pure-Python apply_mask), at 125 B and
# 64 KiB, and prints the ratios.  mhttp has two rows: the masking mhttp.ws picked at
# import (mhttp.ws.MASK_IMPL: "c" = the _mhttp_port._speedups extension, "viper" =
# ports/unix/_mhttp_ws_native.py, "python" when neither loads or MHTTP_PURE=1) and its
# pure-Python masking (the _py_* functions swapped in just before that row is timed).
# The first ratio column is mhttp (first row) / this, the second mhttp pure / this.
# Also runs on MicroPython for mhttp only:
#   tools/micropython tools/bench/bench_ws_frames.py
import os
import sys
import time

MP = sys.implementation.name == "micropython"
if not MP:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))

import mhttp.ws as ws  # noqa: E402
from mhttp.ws import WSProtocol, EV_MESSAGE  # noqa: E402

# The masking functions mhttp.ws picked at import, and its pure-Python ones.
_PICKED = (ws.mask, ws._mask_frame, ws._unmask)
_PURE = (ws._py_mask, ws._py_mask_frame, ws._py_unmask)


def use_masking(fns):
    ws.mask, ws._mask_frame, ws._unmask = fns


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


def mhttp_case(payload, fns):
    # fns: the masking functions this row runs (installed by prepare before it is timed).
    c = WSProtocol(client=True, max_message_size=1 << 20)
    s = WSProtocol(client=False, max_message_size=1 << 20)

    def prepare():
        use_masking(fns)

    def rt():
        s.receive_data(c.send_message(payload))
        ev = s.next_event()
        assert ev[0] == EV_MESSAGE and len(ev[1]) == len(payload)
    return rt, prepare


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
    # websockets.frames binds apply_mask at import (the C one when built); the row sets
    # the one it is named after just before it is timed (see prepare), so the C row and
    # the pure-Python row really run different masks.
    import websockets.frames as frames
    from websockets.protocol import Protocol, Side
    if pure:
        from websockets.utils import apply_mask
    else:
        from websockets.speedups import apply_mask
    c = Protocol(Side.CLIENT, max_size=1 << 20)
    s = Protocol(Side.SERVER, max_size=1 << 20)

    def prepare():
        frames.apply_mask = apply_mask

    def rt():
        c.send_binary(payload)
        s.receive_data(c.data_to_send()[0])
        ev = s.events_received()
        assert len(ev) == 1 and len(ev[0].data) == len(payload)
    return rt, prepare


def check_same_wire(payload):
    # Fairness check: every library's client sends one masked binary frame with the same
    # header (only the random key and so the masked bytes differ) and every server
    # returns exactly the payload.
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import BytesMessage
    from websockets.protocol import Protocol, Side
    wires = [WSProtocol(client=True).send_message(payload),
             Connection(ConnectionType.CLIENT).send(BytesMessage(data=payload))]
    c = Protocol(Side.CLIENT, max_size=1 << 20)
    c.send_binary(payload)
    out = c.data_to_send()
    assert len(out) == 1
    wires.append(out[0])
    hl = 2 if len(payload) < 126 else (4 if len(payload) < 65536 else 10)
    for w in wires:
        assert len(w) == hl + 4 + len(payload), len(w)
        assert w[:hl] == wires[0][:hl], (w[:hl], wires[0][:hl])
    s = WSProtocol(client=False, max_message_size=1 << 20)
    for w in wires:
        s.receive_data(w)
        ev = s.next_event()
        assert ev == (EV_MESSAGE, payload, False)


def main(argv):
    seconds = 1.0
    rounds = 3
    if "--seconds" in argv:
        seconds = float(argv[argv.index("--seconds") + 1])
    if "--rounds" in argv:
        rounds = int(argv[argv.index("--rounds") + 1])
    sizes = ((125, "125 B"), (65536, "64 KiB"))
    for size, label in sizes:
        payload = bytes([i & 0xFF for i in range(size)])
        rt, prep = mhttp_case(payload, _PICKED)
        rows = [("mhttp.ws (%s mask)" % ws.MASK_IMPL, rt, prep)]
        rt, prep = mhttp_case(payload, _PURE)
        rows.append(("mhttp.ws (pure-Python mask)", rt, prep))
        if not MP:
            check_same_wire(payload)
            rows.append(("wsproto", wsproto_case(payload), None))
            rt, prep = websockets_case(payload)
            rows.append(("websockets (C speedups)", rt, prep))
            rt, prep = websockets_case(payload, True)
            rows.append(("websockets (pure-Python mask)", rt, prep))
        # Rounds alternate the libraries and keep each one's best rate, so a burst of
        # load on a shared machine does not land on one library only.
        best = [0.0] * len(rows)
        for _ in range(rounds):
            for i in range(len(rows)):
                name, fn, prep = rows[i]
                if prep is not None:
                    prep()
                r = run(fn, seconds / rounds)
                if r > best[i]:
                    best[i] = r
        use_masking(_PICKED)
        ours = best[0]
        pure = best[1]
        print("%s masked binary frames, client encode + server decode:" % label)
        for i in range(len(rows)):
            print("  %-30s %12.0f round trips/s   mhttp/this = %6.2fx   mhttp pure/this = %6.2fx"
                  % (rows[i][0], best[i], ours / best[i], pure / best[i]))
        if not MP:
            import websockets.frames as frames
            from websockets.speedups import apply_mask
            frames.apply_mask = apply_mask


main(sys.argv[1:])
