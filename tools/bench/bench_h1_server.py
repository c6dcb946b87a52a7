# mhttp's HTTP/1.1 server against aiohttp and a bare asyncio Protocol (no parsing: the
# ceiling), keep-alive GET / with a 13-byte body.  Server pinned to core 0 (taskset -c 0),
# wrk pinned to core 1 (taskset -c 1 wrk -t1 -c50 -d{duration}s); req/s and requests per
# server CPU-second (utime+stime from /proc before/after), with ratios.
#
#   .venv/bin/python tools/bench/bench_h1_server.py [--duration 5] [--only NAME,...] [--mp]
#
# SERVERS is a plain list of (name, argv-from-port) pairs: add a peer by adding a line.
# --mp adds the MicroPython unix port rows (wrk -c10; compare with microdot in
# bench_h1_server_peers.py).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

NAME = "h1_server"


def _peer(name):
    return os.path.join(H.PEERS, name)


SERVERS = [
    ("bare-asyncio", lambda p: [H.PY, _peer("bare_asyncio.py"), str(p)]),
    ("aiohttp", lambda p: [H.PY, _peer("aiohttp_server.py"), str(p)]),
    ("mhttp", lambda p: [H.PY, "-m", "mhttp", "serve", "--port", str(p)]),
    ("mhttp-streams", lambda p: [H.PY, "-m", "mhttp", "serve", "--port", str(p), "--streams"]),
]

MP_SERVERS = [
    ("mhttp-micropython", lambda p: [H.MP, "-m", "mhttp", "serve", "--port", str(p)]),
]


def main(argv):
    args = H.server_args(argv, "bench_h1_server.py", "--duration", "S", 5, float)
    if args is None:
        return 2
    duration, only, mp = args
    env = H.mhttp_env()
    rows = []
    for name, argv_fn in SERVERS:
        if only and name not in only:
            continue
        port = H.free_port()
        H.log("%s on port %d" % (name, port))
        rows.append(H.run_case(name, argv_fn(port), port, H.wrk, conns=50, duration=duration, env=env))
    H.print_table("HTTP/1.1 keep-alive GET, wrk -t1 -c50 -d%gs (CPython)" % duration, rows,
                  baselines=("aiohttp", "bare-asyncio"))
    for r in rows:
        if r.name == "mhttp" and r.result is not None:
            H.summary(NAME, "mhttp req/cpu-s", round(r.result.per_cpu))
            for b in rows:
                if b.name == "aiohttp" and b.result is not None:
                    H.summary(NAME, "mhttp/aiohttp req/cpu-s", round(r.result.per_cpu / b.result.per_cpu, 2))
    if mp:
        rows = []
        for name, argv_fn in MP_SERVERS:
            port = H.free_port()
            rows.append(H.run_case(name, argv_fn(port), port, H.wrk, conns=10, duration=duration))
        H.print_table("HTTP/1.1 keep-alive GET, wrk -t1 -c10 (MicroPython unix port)", rows, baselines=())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
