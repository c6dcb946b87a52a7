# The h1 mutation fuzzer on CPython, bounded for `make test` (~20 s): fixed seeds, a fixed
# number of mutants per role, and a differential check against h11 (when both parsers
# accept a complete request, they must agree on method, target and body: the core never
# frames a byte stream differently from an independent parser).  The engine is portable
# (tests_host/core/_h1fuzz.py; a short run on MicroPython is test_h1_fuzz_small.py).
#
# Longer standalone runs:  MHTTP_FUZZ_SECONDS=600 .venv/bin/python tests_host/test_h1_fuzz.py
# (new seeds until the time is up; prints each failing input).
import os
import sys
import time

import h11

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "core"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import _h1fuzz as F  # noqa: E402
from mhttp.h1 import CLIENT, SERVER  # noqa: E402
from h1_corpus import (BAD_REQUESTS, BAD_REQUESTS_MAX_BODY_1024, BAD_RESPONSES,  # noqa: E402
                       GOOD_LOOKALIKES)

ITER = int(os.environ.get("MHTTP_FUZZ_ITERATIONS", "2500"))


def request_seeds():
    return ([(b"GET", s) for s in F.SEED_REQUESTS]
            + [(b"GET", e[1]) for e in BAD_REQUESTS + GOOD_LOOKALIKES + BAD_REQUESTS_MAX_BODY_1024])


def response_seeds():
    return list(F.SEED_RESPONSES) + [(e[1], e[2]) for e in BAD_RESPONSES]


def test_fuzz_server_role():
    t = time.time()
    assert F.fuzz(1, ITER, SERVER, request_seeds()) == ITER + len(request_seeds())
    assert time.time() - t < 60


def test_fuzz_client_role():
    t = time.time()
    assert F.fuzz(2, ITER, CLIENT, response_seeds()) == ITER + len(response_seeds())
    assert time.time() - t < 60


def test_fuzz_client_role_head_and_connect():
    # The same responses read as answers to HEAD and CONNECT (framing differs).
    seeds = [(m, r) for _, r in response_seeds() for m in (b"HEAD", b"CONNECT")]
    assert F.fuzz(3, ITER // 2, CLIENT, seeds, every_seed=False) == ITER // 2


def _h11_requests(data):
    # [method, target, body, complete] per request h11 reads from data (then EOF).
    c = h11.Connection(h11.SERVER, max_incomplete_event_size=F.LIMITS["max_header_bytes"])
    c.receive_data(data)
    c.receive_data(b"")
    reqs = []
    cur = None
    try:
        for _ in range(1000):
            ev = c.next_event()
            if ev is h11.NEED_DATA or ev is h11.PAUSED:
                break
            if isinstance(ev, h11.Request):
                cur = [ev.method, _origin_form(ev.method, ev.target), b"", False]
                reqs.append(cur)
                if ev.method == b"CONNECT":
                    break
            elif isinstance(ev, h11.Data):
                cur[2] += ev.data
            elif isinstance(ev, h11.EndOfMessage):
                cur[3] = True
                c.send(h11.Response(status_code=200, headers=[("content-length", "0")]))
                c.send(h11.EndOfMessage())
                if c.our_state is h11.MUST_CLOSE:
                    break
                c.start_next_cycle()
            elif isinstance(ev, h11.ConnectionClosed):
                break
    except h11.RemoteProtocolError:
        pass
    return [r for r in reqs if r[3]]


def _origin_form(method, target):
    # mhttp gives an absolute-form target's path + query as :path (RFC 9112 §3.2.2;
    # "/" when empty, "*" for OPTIONS): h11 keeps the target as sent.
    k = target.find(b"://")
    if target[:1] == b"/" or k <= 0 or method == b"CONNECT":
        return target
    rest = target[k + 3:]
    i = min([j for j in (rest.find(b"/"), rest.find(b"?")) if j >= 0] or [len(rest)])
    path = rest[i:]
    if not path or path[:1] == b"?":
        path = (b"*" if method == b"OPTIONS" and not path else b"/") + path
    return path


def _mhttp_requests(data):
    reqs = []
    cur = None
    for it in F.run(SERVER, [data]):
        if it[0] == "H":
            d = dict(it[1])
            cur = [d[b":method"], d.get(b":path", d.get(b":authority")), b"", it[2]]
            reqs.append(cur)
        elif it[0] == "B":
            cur[2] += it[1]
        elif it[0] in ("D", "T"):
            cur[3] = True
    return [r for r in reqs if r[3]]


def test_differential_h11_request_framing():
    # Valid seeds weighted up, so that many mutants still parse on both sides.
    seeds = list(F.SEED_REQUESTS) * 4 + [e[1] for e in BAD_REQUESTS + GOOD_LOOKALIKES]
    rng = F.Rng(4)
    diffs = []
    both = 0
    for i in range(ITER):
        d = seeds[i] if i < len(seeds) else F.mutate(rng, rng.pick(seeds), seeds)
        a = _mhttp_requests(d)
        b = _h11_requests(d)
        k = min(len(a), len(b))
        both += k
        if a[:k] != b[:k]:
            diffs.append((d, a, b))
    assert not diffs, diffs[:3]
    assert both > ITER // 20     # the comparison really compared requests


def main():
    secs = float(os.environ.get("MHTTP_FUZZ_SECONDS", "60"))
    end = time.time() + secs
    seed = 1000
    n = 0
    fails = 0
    rs, ps = request_seeds(), response_seeds()
    while time.time() < end:
        for role, seeds in ((SERVER, rs), (CLIENT, ps)):
            try:
                n += F.fuzz(seed, 500, role, seeds, every_seed=False)
            except AssertionError as e:
                fails += 1
                print("seed %d role %d: %s" % (seed, role, e))
        seed += 1
    print("%d inputs, %d failing seeds, seeds 1000..%d" % (n, fails, seed - 1))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
