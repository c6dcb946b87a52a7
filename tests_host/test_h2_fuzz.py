# The HTTP/2 mutation fuzzer on CPython, bounded for `make test` (~15 s): fixed seeds,
# the engine of tests_host/core/_h2fuzz.py (portable; a short run on MicroPython is
# test_h2_fuzz_small.py) with more mutants per role, and a live check: mutated client
# sessions sent over loopback to our real server (tests_host/_h2_app.py, mhttp.server,
# h2c prior knowledge) in batches; every answer parses as frames and never carries
# GOAWAY(INTERNAL_ERROR); after each batch a good request (Python's `h2` package as the
# client) still gets 200 and the right body, and the server logs no traceback.
#
# Longer standalone runs:  MHTTP_FUZZ_SECONDS=600 .venv/bin/python tests_host/test_h2_fuzz.py
# (new seeds until the time is up; prints each failing input).
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "core"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import _h2fuzz as F  # noqa: E402
from mhttp.h2_frames import goaway_unpack  # noqa: E402

ITER = int(os.environ.get("MHTTP_FUZZ_ITERATIONS", "3000"))


def test_fuzz_server_role():
    t = time.time()
    assert F.fuzz_h2(1, ITER, "server") == ITER + 12
    assert time.time() - t < 60


def test_fuzz_client_role():
    t = time.time()
    assert F.fuzz_h2(2, ITER, "client") == ITER + 12
    assert time.time() - t < 60


# -- differential: request validation against python-h2 ----------------------------------

def _h2_accepts(d):
    import h2.connection
    import h2.config
    import h2.events
    import h2.exceptions
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    c.initiate_connection()
    try:
        evs = c.receive_data(d)
    except h2.exceptions.ProtocolError:
        return False
    return any(isinstance(e, h2.events.RequestReceived) for e in evs)


def _ours_accepts(d):
    evs, out = F.run("server", [d])
    return any(e[0] == F.EV_HEADERS for e in evs)


def test_differential_request_validation_python_h2():
    # One request (END_STREAM) on a fresh connection, its header list made odd by the
    # fuzzer's odd_block; both servers must agree on accepting it, except where RFC 9113
    # decides for us (recorded):
    #   - no :authority and no host: python-h2 refuses, we accept (§8.3.1 has clients send
    #     :authority when there is authority information; it does not make its absence
    #     malformed);
    #   - content-length other than 0 with END_STREAM on the HEADERS: we refuse, python-h2
    #     accepts (§8.1.1: content-length not equal to the DATA octets is malformed).
    from mhttp.h2_frames import PREFACE, settings_pack, headers_pack
    from mhttp.hpack import Decoder
    rng = F.Rng(41)
    bases = (F.REQ, F.REQ + [(b"x-a", b"1")], F.REQ[:3] + [(b"host", b"example.com")])
    diffs = []
    both = 0
    for _ in range(ITER // 2):
        blk = F.odd_block(rng, rng.pick(bases))
        d = PREFACE + settings_pack({}) + headers_pack(1, blk, True)
        a = _ours_accepts(d)
        b = _h2_accepts(d)
        both += a and b
        if a == b:
            continue
        hs = Decoder().decode(blk)
        names = [h[0] for h in hs]
        if a and b":authority" not in names and b"host" not in names:
            continue
        if b and [h for h in hs if h[0] == b"content-length" and h[1] != b"0"]:
            continue
        diffs.append((hs, a, b))
    assert not diffs, diffs[:5]
    assert both > ITER // 20, both


# -- live ----------------------------------------------------------------------------------

def _read_all(s, deadline):
    buf = b""
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            d = s.recv(65536)
        except (socket.timeout, OSError):
            break
        if not d:
            break
        buf += d
    return buf


def _frames_of(buf):
    # (type, payload) of each complete frame; asserts the stream of frames is well formed
    # up to a possibly cut last frame.
    out = []
    pos = 0
    if buf[:9] == b"HTTP/1.1 ":
        return out      # a mutated preface read as HTTP/1.1 (the server sniffs it)
    while len(buf) - pos >= 9:
        ln = (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2]
        assert ln <= 16384, buf[pos:pos + 9]
        if len(buf) - pos < 9 + ln:
            break
        out.append((buf[pos + 3], buf[pos + 9:pos + 9 + ln]))
        pos += 9 + ln
    return out


def _good_request(port):
    # Python's h2 as the client: GET / -> 200 "Hello, World!".
    import h2.connection
    import h2.config
    import h2.events
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    c.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":path", "/"),
                       (":authority", "127.0.0.1:%d" % port)], end_stream=True)
    s = socket.create_connection(("127.0.0.1", port), 5)
    try:
        s.sendall(c.data_to_send())
        status = None
        body = b""
        end = time.time() + 5
        while time.time() < end:
            s.settimeout(max(0.01, end - time.time()))
            d = s.recv(65536)
            if not d:
                break
            for ev in c.receive_data(d):
                if isinstance(ev, h2.events.ResponseReceived):
                    status = dict(ev.headers)[b":status"]
                elif isinstance(ev, h2.events.DataReceived):
                    body += ev.data
                    c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    return status, body
            s.sendall(c.data_to_send())
        return status, body
    finally:
        s.close()


def _start_server(log, kind="cpython"):
    # tests_host/_h2_app.py (mhttp.server.listen, h2c by prior knowledge) with its output
    # in a file: its onerror prints a line per handler error, and a pipe nobody reads
    # fills up (64 KiB) and stops the server in the middle of a print.  kind: "cpython",
    # "streams" (CPython, asyncio streams) or "micropython" (the unix port).
    import subprocess
    from _h2_util import PY, MP, APP, ENV, free_port, wait_port
    port = free_port()
    argv = [MP, APP, str(port)] if kind == "micropython" else [PY, APP, str(port)]
    if kind == "streams":
        argv.append("--streams")
    p = subprocess.Popen(argv, env=ENV, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_port(port, p)
    except Exception:
        p.kill()
        p.wait(5)
        raise
    return p, port


def live(seconds, seed, batch=8, kind="cpython"):
    # Returns (sessions sent, batches, the server's error lines by kind).
    import tempfile
    log = tempfile.TemporaryFile()
    proc, port = _start_server(log, kind)
    rng = F.Rng(seed)
    seeds = F.sessions("server", rng, 12)
    others = [f for s in seeds for f in s if f != F.PREFACE]
    n = 0
    batches = 0
    end = time.time() + seconds
    try:
        while time.time() < end:
            socks = []
            sent = []
            for _ in range(batch):
                d = F.mutate_session(rng, rng.pick(seeds), others)
                s = socket.create_connection(("127.0.0.1", port), 5)
                try:
                    s.sendall(d)
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass       # the server may have closed already (an early GOAWAY)
                socks.append(s)
                sent.append(d)
                n += 1
            dl = time.time() + 2
            for s, d in zip(socks, sent):
                try:
                    for t, p in _frames_of(_read_all(s, dl)):
                        if t == 7:
                            g = goaway_unpack(p)
                            assert g[1] != 2, ("GOAWAY(INTERNAL_ERROR) %r for %r" % (g, d))
                finally:
                    s.close()
            assert _good_request(port) == (b"200", b"Hello, World!"), (batches, sent)
            batches += 1
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except Exception:
            proc.kill()
            proc.wait(5)
        log.seek(0)
        out = log.read()
        log.close()
    assert b"Traceback" not in out, out[-3000:]
    kinds = {}
    for line in out.splitlines()[1:]:
        kinds[line] = kinds.get(line, 0) + 1
    return n, batches, kinds


# What the app's handlers may meet when the peer's session goes wrong under them.
BENIGN = (b"error onstream ProtocolError('HTTP/2 connection is closed')",)


def test_live_server_survives_mutated_sessions():
    n, batches, kinds = live(float(os.environ.get("MHTTP_FUZZ_LIVE_SECONDS", "6")), 5)
    assert batches >= 3 and n >= 24, (n, batches)
    assert not [k for k in kinds if k not in BENIGN], kinds


def main():
    secs = float(os.environ.get("MHTTP_FUZZ_SECONDS", "60"))
    end = time.time() + secs
    seed = 1000
    n = 0
    fails = 0
    while time.time() < end:
        for role in ("server", "client"):
            try:
                n += F.fuzz_h2(seed, 300, role, every_seed=False)
            except AssertionError as e:
                fails += 1
                print("seed %d role %s: %s" % (seed, role, str(e)[:3000]))
        seed += 1
    print("%d inputs, %d failing seeds, seeds 1000..%d" % (n, fails, seed - 1))
    if os.environ.get("MHTTP_FUZZ_LIVE_SECONDS"):
        print("live: %d sessions in %d batches, server errors %r"
              % live(float(os.environ["MHTTP_FUZZ_LIVE_SECONDS"]), seed,
                     kind=os.environ.get("MHTTP_FUZZ_LIVE_KIND", "cpython")))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
