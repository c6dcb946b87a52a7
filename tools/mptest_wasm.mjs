// tools/mptest.py's runner on the wasm32 MicroPython port (npm's
// @micropython/micropython-webassembly-pyscript, the release MicroPython boards run;
// installed into .venv/node by tools/wasm32_port.py), under node:
//
//   node tools/mptest_wasm.mjs PKGDIR ROOT [-k SUBSTRING] [-x FILE::TEST]... FILE...
//
// ROOT/lib and ROOT/ports/unix's glue modules are copied into the port's in-memory
// filesystem at /lib (on its sys.path), each FILE's directory next to it.  Every
// top-level callable named test_* of each FILE (sorted by name, as tools/mptest.py) is
// called with no arguments, one call from JavaScript per test: this port collects
// garbage only between calls from JavaScript (WebAssembly locals are invisible to its
// conservative scan), so a gc.collect() in a test only flags a collection, which runs
// when the test's call returns; collecting between tests is what tools/mptest.py does.
// Output as tools/mptest.py: a "FAILED FILE::test: repr" line and the traceback per
// failure; per FILE, "== BEGIN FILE" before its tests and "== FILE: N passed, N failed
// (N ms)" after them; at the end the total "N passed, N failed".  Exit status 1 on any
// failure or when no test ran.  The heap only grows (a test's garbage stays until it
// returns), and later collections sweep all of it: one process per heavy FILE is faster.
// -x FILE::TEST (FILE as given): a test expected to fail on this port (a capability it
// lacks): run all the same; its failure prints "XFAIL FILE::TEST: repr" and counts
// neither way; a pass prints "XPASS FILE::TEST" and counts as a failure.
//
// What the port lacks that a board has, supplied here (and only here):
// - os.urandom (boards have it; mhttp's port glue imports it): random.getrandbits bytes.
// - asyncio.run: this port's asyncio (1.27's asyncio with a core that runs tasks from JS
//   timers) has none, since nothing may block the JS event loop.  _run below is the loop
//   a board's asyncio.run is: it runs the port's own task queue (asyncio.core._run_iter,
//   which runs every task that is due) and sleeps until the next one is due, until the
//   coroutine has ended; leftover tasks stay queued, as on a board.
import fs from "fs";
import path from "path";

const argv = process.argv.slice(2);
const pkg = argv.shift(), root = argv.shift();
let pattern = null;
const files = [], xfail = [];
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-k") pattern = argv[++i];
    else if (argv[i] === "-x") xfail.push(argv[++i]);
    else files.push(argv[i]);
}
const { loadMicroPython } = await import(path.resolve(pkg, "micropython.mjs"));
const mp = await loadMicroPython({
    heapsize: 8 << 20, stdout: (d) => process.stdout.write(d), linebuffer: false,
});

function mkdirs(d) {
    let cur = "";
    for (const part of d.split("/").filter((s) => s)) {
        cur += "/" + part;
        try { mp.FS.mkdir(cur); } catch (e) { /* exists */ }
    }
}

function copy(src, dst, onlyPy) {
    mkdirs(dst);
    for (const n of fs.readdirSync(src)) {
        if (n === "__pycache__") continue;
        const s = path.join(src, n), d = dst + "/" + n;
        if (fs.statSync(s).isDirectory()) { if (!onlyPy) copy(s, d, false); }
        else if (!onlyPy || n.endsWith(".py")) mp.FS.writeFile(d, fs.readFileSync(s));
    }
}

// One call from JavaScript; a Python exception escaping it (the helpers below catch
// the tests' own) is a runner error: printed, exit 1.
function py(code) {
    try {
        return mp.runPython(code);
    } catch (e) {
        if (e.name !== "PythonError") throw e;
        console.error(e.message);
        process.exit(1);
    }
}

copy(path.join(root, "lib"), "/lib", false);
copy(path.join(root, "ports", "unix"), "/lib", true);
const dirs = new Set();
for (const f of files) {
    const d = path.dirname(path.resolve(root, f));
    if (!dirs.has(d)) { copy(d, "/t" + d, true); dirs.add(d); }
}

py(`
import sys, gc, os, random
if not hasattr(os, "urandom"):
    def _urandom(n):
        return bytes([random.getrandbits(8) for _ in range(n)])
    os.urandom = _urandom
_C = [0, 0]

import asyncio
if not hasattr(asyncio, "run"):
    import time
    def _run(coro):
        core = asyncio.core
        box = []
        async def main():
            try:
                box.append((True, await coro))
            except BaseException as e:
                box.append((False, e))
        core.create_task(main())
        try:
            while not box:
                core._run_iter()
                if box:
                    break
                t = core._task_queue.peek()
                if not t:
                    raise RuntimeError("asyncio.run: no task left, the coroutine waits forever")
                dt = time.ticks_diff(t.ph_key, time.ticks_ms())
                if dt > 0:
                    time.sleep_ms(dt)
        finally:
            if core.asyncio_timer is not None:
                core.js.clearTimeout(core.asyncio_timer)
                core.asyncio_timer = None
        if box[0][0]:
            return box[0][1]
        raise box[0][1]
    asyncio.run = _run

def _load(path, vdir):
    # -> the sorted test names of path's module (imported from its directory), or None
    if vdir not in sys.path:
        sys.path.insert(0, vdir)
    f = path.rpartition("/")[2]
    try:
        mod = __import__(f[:-3] if f.endswith(".py") else f)
    except Exception as e:
        _C[1] += 1
        print("ERROR importing %s: %r" % (path, e))
        sys.print_exception(e)
        return None
    names = [n for n in dir(mod) if n.startswith("test_")]
    names.sort()
    return [mod, names]

def _test(path, mod, n, pattern, xfail):
    fn = getattr(mod, n)
    if not callable(fn) or (pattern and pattern not in n):
        return
    x = path + "::" + n in xfail
    try:
        fn()
    except Exception as e:
        if x:
            print("XFAIL %s::%s: %r" % (path, n, e))
            return
        _C[1] += 1
        print("FAILED %s::%s: %r" % (path, n, e))
        sys.print_exception(e)
        return
    if x:
        _C[1] += 1
        print("XPASS %s::%s (expected to fail on this port)" % (path, n))
    else:
        _C[0] += 1
`);
mp.globals.set("PATTERN", pattern);
mp.globals.set("XFAIL", xfail.join("\n"));
let total = [0, 0];
for (const f of files) {
    const vdir = "/t" + path.dirname(path.resolve(root, f));
    const t0 = Date.now();
    console.log("== BEGIN %s", f);
    mp.globals.set("ARGS", [f, vdir]);
    py("_C[:] = [0, 0]\nM = _load(*ARGS)\nN = len(M[1]) if M else 0");
    const n = mp.globals.get("N");
    for (let i = 0; i < n; i++) {
        mp.globals.set("I", i);
        py("_test(ARGS[0], M[0], M[1][I], PATTERN, XFAIL.split('\\n'))");
        py("gc.collect()");
    }
    py("M = None\ngc.collect()");
    py("P, F = _C");
    const passed = mp.globals.get("P"), failed = mp.globals.get("F");
    console.log("== %s: %d passed, %d failed (%d ms)", f, passed, failed, Date.now() - t0);
    total[0] += passed;
    total[1] += failed;
}
console.log("%d passed, %d failed", total[0], total[1]);
process.exit(total[1] || !total[0] ? 1 : 0);
