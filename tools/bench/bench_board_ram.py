#!/usr/bin/env python3
# Board RAM: the smallest MicroPython heap (-X heapsize, 64-bit unix port) in which each
# scenario still works, and the peak heap it uses, with mhttp loaded as .mpy (the bundle
# tools/bundle.py builds) -- found by tools/heapmin.py's bisection.
#
#   .venv/bin/python tools/bench/bench_board_ram.py            # everything (~5 minutes)
#   .venv/bin/python tools/bench/bench_board_ram.py --quick    # servers with 1 conn, client
#   .venv/bin/python tools/bench/bench_board_ram.py --imports  # the import table only
#
# Scenarios (tools/bench/board_*.py):
#   mhttp server   board_h1_server.py: 10 keep-alive connections x 100 requests (and 1 x
#                  100), driven by board_h1_driver.py from the host
#   microdot       board_microdot_server.py (.mpy, as a board would load it): same load;
#                  microdot closes after each response, so the driver reconnects
#   mhttp client   board_h1_client.py: 100 keep-alive GETs (mhttp.request, blocking)
#                  against board_h1_peer.py
#   imports        board_import.py MODULE: the smallest heap that imports the module
#   ws client      heap_ws_client.py: 1000 echoes of 1 KiB (permessage-deflate) against
#                  `python -m mhttp serve` (/ws)
# Two figures per mhttp scenario: modules as .mpy files on the filesystem (loaded into the
# heap) and, "ROMFS", as .mpy in a ROMFS image mapped outside the heap (executed in place,
# as from a board's ROMFS partition: tools/heapmin.py --romfs).  --no-romfs skips those.
# "peak" is the largest gc.mem_alloc() seen at the scenario's checkpoints (live objects
# plus garbage not yet collected) at the smallest heap; "live" is the peak live heap
# sampled every 2 ms in one more run (heapmin's "sampled peak live": checkpoints sit at
# quiet moments and miss e.g. ten requests in flight at once).
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE)))
import _harness as H          # noqa: E402
import heapmin                # noqa: E402

PY = H.PY
DRIVER = PY + " tools/bench/board_h1_driver.py {port} %d %d 10%s"
IMPORTS = ("mhttp.errors", "mhttp._reasons", "mhttp.headers", "mhttp.util", "mhttp.h1",
           "mhttp.stream_common", "mhttp._io", "mhttp.h1_connection", "mhttp.client",
           "mhttp.request", "mhttp.blocking", "mhttp.server", "mhttp.hpack", "mhttp.h2_frames",
           "mhttp.h2", "mhttp.ws", "mhttp.websocket")


def scen(name):
    return os.path.join(HERE, name)


ROMFS = "--no-romfs" not in sys.argv


def run(label, scenario, args, driver=None, timeout=20.0, romfs=None):
    row = None
    for rom in ((False, True) if (ROMFS if romfs is None else romfs) else (False,)):
        t0 = time.monotonic()
        r = heapmin.find_min_heap(scenario, args, driver, lo=8 * 1024, hi=512 * 1024,
                                  res=1024, timeout=timeout, log=print, romfs=rom)
        peak = max([a for a, _ in r["checkpoints"].values()] or [0])
        live = r.get("sampled_live") or max([l for _, l in r["checkpoints"].values()] or [0])
        one = {"label": label, "min": r["min_heap"], "peak": peak, "live": live,
               "why": r.get("last_failure"), "secs": time.monotonic() - t0}
        where = "ROMFS" if rom else "fs .mpy"
        if r["min_heap"] is None:
            print("  %-40s %-7s FAILS even at 512 KiB: %s" % (label, where, r["last_failure"]))
        else:
            print("  %-40s %-7s min heap %6.1f KiB  peak %6.1f KiB  live %6.1f KiB  (%.0fs)" % (
                label, where, r["min_heap"] / 1024.0, peak / 1024.0, live / 1024.0,
                one["secs"]))
        sys.stdout.flush()
        if rom:
            row["rom"] = one
        else:
            row = one
    return row


def servers(conns_list):
    rows = {}
    try:
        H.stage_microdot()
        have_md = True
    except H.Unavailable as e:
        print("  microdot: not available: %s" % e)
        have_md = False
    for conns in conns_list:
        n = conns * 100
        rows["mhttp", conns] = run("mhttp server, %d conn x 100 req" % conns,
                                   scen("board_h1_server.py"), ["{port}", str(n)],
                                   DRIVER % (conns, 100, ""))
        if have_md:
            rows["microdot", conns] = run("microdot .mpy, %d conn x 100 req" % conns,
                                          scen("board_microdot_server.py"), ["{port}", str(n)],
                                          DRIVER % (conns, 100, " reconnect"), romfs=False)
    return rows


def client():
    port = H.free_port()
    peer = subprocess.Popen([PY, scen("board_h1_peer.py"), str(port), "600"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not H.wait_port(port, 10):
            raise SystemExit("board_h1_peer.py did not listen")
        return run("mhttp client, 100 keep-alive GETs", scen("board_h1_client.py"),
                   [str(port), "100"])
    finally:
        peer.kill()
        peer.wait(10)


def ws_client():
    port = H.free_port()
    peer = subprocess.Popen([PY, "-m", "mhttp", "serve", "--port", str(port)], cwd=H.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not H.wait_port(port, 10):
            raise SystemExit("mhttp serve did not listen")
        return run("ws client, 1000 x 1 KiB echoes", scen("heap_ws_client.py"),
                   ["ws://127.0.0.1:%d/ws" % port, "1000", "1024"], timeout=60.0)
    finally:
        peer.kill()
        peer.wait(10)


def rom_fig(row):
    r = row.get("rom") if row else None
    return ("%.1f" % (r["min"] / 1024.0)) if r and r["min"] else "n/a"


def imports():
    print("\nimport-only (.mpy), smallest heap / live bytes after the import:")
    print("| module | min heap (KiB) | live after import (KiB) |")
    print("|---|---:|---:|")
    out = []
    for m in IMPORTS:
        r = heapmin.find_min_heap(scen("board_import.py"), [m], lo=4 * 1024, hi=256 * 1024,
                                  res=512, timeout=20)
        live = max([l for _, l in r["checkpoints"].values()] or [0])
        if r["min_heap"] is None:
            print("| %s | fails | |" % m)
        else:
            print("| %s | %.1f | %.1f |" % (m, r["min_heap"] / 1024.0, live / 1024.0))
        sys.stdout.flush()
        out.append((m, r["min_heap"], live))
    return out


def ratio(a, b):
    if not a or not b or a["min"] is None or b["min"] is None:
        return "n/a"
    return "%.2fx" % (a["min"] / float(b["min"]))


def main(argv):
    if "--imports" in argv:
        imports()
        return 0
    quick = "--quick" in argv
    print("board RAM (MicroPython unix port, 64-bit, .mpy bundle; tools/heapmin.py):")
    rows = servers((1,) if quick else (10, 1))
    c = client()
    w = None if quick else ws_client()
    print("\nsummary (smallest heap; ratio mhttp / microdot; ROMFS = mhttp in a ROMFS "
          "partition, executed in place):")
    for conns in ((1,) if quick else (10, 1)):
        m, d = rows.get(("mhttp", conns)), rows.get(("microdot", conns))
        if m and m["min"]:
            print("  server %2d conn: mhttp %6.1f KiB (ROMFS %s KiB), microdot %s KiB: %s" % (
                conns, m["min"] / 1024.0, rom_fig(m),
                "%.1f" % (d["min"] / 1024.0) if d and d["min"] else "n/a", ratio(m, d)))
            H.summary("board_ram", "server %d conn min heap KiB" % conns, round(m["min"] / 1024.0, 1))
            if m.get("rom") and m["rom"]["min"]:
                H.summary("board_ram", "server %d conn min heap KiB, ROMFS" % conns,
                          round(m["rom"]["min"] / 1024.0, 1))
    if c["min"]:
        print("  client 100 GETs: mhttp %.1f KiB, ROMFS %s KiB (target < 32 KiB)" % (
            c["min"] / 1024.0, rom_fig(c)))
        H.summary("board_ram", "client 100 GETs min heap KiB", round(c["min"] / 1024.0, 1))
    if w and w["min"]:
        print("  ws client 1000 echoes: mhttp %.1f KiB, ROMFS %s KiB (target < 32 KiB)" % (
            w["min"] / 1024.0, rom_fig(w)))
    if "--no-imports" not in argv and not quick:
        imports()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
