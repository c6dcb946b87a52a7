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
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

NAME = "h2_server"


def h2load_n(port, n=50000, conns=10, streams=10, host="127.0.0.1", path="/"):
    # h2load with a request count (the figure) instead of a duration.
    out = H._run_load(["h2load", "-n%d" % n, "-c%d" % conns, "-m%d" % streams, "-T", "10",
                       "http://%s:%d%s" % (host, port, path)], 60)
    m = re.search(r"finished in ([\d.]+)(ms|s|m),", out)
    r = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", out)
    s = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if not m or not r:
        raise H.Unavailable("h2load: no result: %s" % out.strip()[-300:])
    errors = int(r.group(5)) + int(r.group(6)) + int(r.group(7)) + (n - int(r.group(4)))
    if s:
        errors += int(s.group(3)) + int(s.group(4))
    return H.Load(int(r.group(4)), H._seconds(m.group(1), m.group(2)), errors, out)


def main(argv):
    n = 50000
    only = None
    mp = False
    i = 0
    while i < len(argv):
        if argv[i] == "-n":
            n = int(argv[i + 1])
            i += 2
        elif argv[i] == "--only":
            only = argv[i + 1].split(",")
            i += 2
        elif argv[i] == "--mp":
            mp = True
            i += 1
        else:
            print("usage: bench_h2_server.py [-n N] [--only a,b] [--mp]")
            return 2
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(H.ROOT, "lib") + os.pathsep + os.path.join(H.ROOT, "ports", "cpython")
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
