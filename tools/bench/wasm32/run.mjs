// Runs tools/bench/wasm32/scenarios.py on the wasm32 MicroPython port
// (@micropython/micropython-webassembly-pyscript, installed by tools/wasm32_port.py):
//
//   node tools/bench/wasm32/run.mjs PKGDIR HEAPSIZE LIBDIR SCRIPT ARGS...
//
// LIBDIR (the .mpy bundle) is copied into the port's in-memory filesystem at /lib (on
// its sys.path).  This port collects garbage only between calls from JavaScript (see
// scenarios.py), so the script is loaded in one call and then driven by one call per
// step: gc.collect(), start() (the baseline), GEN = go(sys.argv), tick() until False;
// an asyncio scenario runs on from node's event loop and prints DONE itself.
import fs from "fs";
import path from "path";

const [pkg, heap, libdir, script, ...args] = process.argv.slice(2);
const { loadMicroPython } = await import(path.resolve(pkg, "micropython.mjs"));
const mp = await loadMicroPython({
    heapsize: parseInt(heap), stdout: (d) => process.stdout.write(d), linebuffer: false,
});

function copy(src, dst) {
    try { mp.FS.mkdir(dst); } catch (e) { /* exists */ }
    for (const n of fs.readdirSync(src)) {
        const s = path.join(src, n), d = dst + "/" + n;
        if (fs.statSync(s).isDirectory()) copy(s, d);
        else mp.FS.writeFile(d, fs.readFileSync(s));
    }
}

function py(code) {
    try {
        return mp.runPython(code);
    } catch (e) {
        if (e.name !== "PythonError") throw e;
        console.error(e.message);   // (a SystemExit too: scenarios exit only on failure)
        process.exit(1);
    }
}

copy(libdir, "/lib");
py("import sys\nsys.argv[:] = " + JSON.stringify([script, ...args]));
py(fs.readFileSync(script, "utf8"));
py("gc.collect()");
py("start()");
py("GEN = go(sys.argv)");
py("R = GEN is not None");
for (let i = 0; i < 100000 && mp.globals.get("R"); i++) py("R = tick()");
