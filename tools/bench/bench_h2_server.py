# mhttp's HTTP/2 server (h2c, prior knowledge) against the minimal asyncio server on the
# `h2` package, hypercorn and nghttpd (the C ceiling): `h2load -n N -c 10 -m 10` GET /
# with a 13-byte body.  Server pinned to core 0, h2load to core 1 (taskset); prints
# req/s, req per server CPU-second, ratios to h2 and hypercorn and the fraction of
# nghttpd.
#
#   .venv/bin/python tools/bench/bench_h2_server.py [-n 50000] [--only mhttp,h2,...] [--mp]
#
# --mp adds the MicroPython unix port server (h2load -n 2000 -c 2 -m 10).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

NAME = "h2_server"


def h2load_n(port, n=50000, conns=10, streams=10, host="127.0.0.1", path="/"):
    # h2load with a request count (the figure) instead of a duration.
    out = H._run_load(["h2load", "-n%d" % n, "-c%d" % conns, "-m%d" % streams, "-T", "10",
                       "http://%s:%d%s" % (host, port, path)], 60)
    seconds, c, bad = H.h2load_summary(out)
    errors = c[4] + c[5] + c[6] + (n - c[3]) + bad[0] + bad[1]
    return H.Load(c[3], seconds, errors, out)


def main(argv):
    args = H.server_args(argv, "bench_h2_server.py", "-n", "N", 50000, int)
    if args is None:
        return 2
    n, only, mp = args
    env = H.mhttp_env()
    servers = [
        ("mhttp", [H.PY, "-m", "mhttp", "serve", "--port", "{p}"]),
        ("mhttp-streams", [H.PY, "-m", "mhttp", "serve", "--port", "{p}", "--streams"]),
        ("h2", None),
        ("hypercorn", None),
        ("nghttpd", None),
    ]
    rows = []
    for name, argv_t in servers:
        if only and name not in only:
            continue
        port = H.free_port()
        H.log("%s on port %d" % (name, port))
        a = None if argv_t is None else [x.replace("{p}", str(port)) for x in argv_t]
        rows.append(H.run_case(name, a, port, h2load_n, n=n, env=env if a else None))
    H.print_table("HTTP/2 h2c GET, h2load -n %d -c 10 -m 10 (CPython)" % n, rows,
                  baselines=("h2", "hypercorn", "nghttpd"))
    res = {}
    for r in rows:
        if r.result is not None:
            res[r.name] = r.result.per_cpu
    if "mhttp" in res:
        H.summary(NAME, "mhttp req/cpu-s", round(res["mhttp"]))
        for b in ("h2", "hypercorn", "nghttpd"):
            if b in res and res[b]:
                print("mhttp / %s req/cpu-s: %.2f" % (b, res["mhttp"] / res[b]))
                H.summary(NAME, "mhttp/%s req/cpu-s" % b, round(res["mhttp"] / res[b], 3))
    if mp:
        port = H.free_port()
        rows = [H.run_case("mhttp-micropython", [H.MP, "-m", "mhttp", "serve", "--port", str(port)],
                           port, h2load_n, n=2000, conns=2, streams=10)]
        H.print_table("HTTP/2 h2c GET, h2load -n 2000 -c 2 -m 10 (MicroPython unix port)", rows,
                      baselines=())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
