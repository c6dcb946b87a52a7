#!/usr/bin/env python3
"""What importing each mhttp module costs in GC heap, from a ROMFS image and from .mpy files.

    .venv/bin/python tools/bench/board_import_romfs.py [MODULE ...] [--fs] [--no-rom]
                                                       [--json] [--sort own|total]

Each module is imported in a fresh MicroPython unix port process (64-bit; mhttp as .mpy
from tools/bundle.py's unix bundle, as tools/heapmin.py runs it).  "rom": the bundle is a
ROMFS image in a memory-mapped flash outside the heap (tools/romfs.py: executed in place,
as from a board's ROMFS partition); "fs" (--fs): .mpy files on the filesystem (bytecode
copied into the heap).  Two runs per module and mode:

  total  the module imported alone: gc.mem_alloc() after gc.collect(), after minus before
         (its mhttp/port dependencies included; `deps` lists what the import pulled in)
  own    the same after its dependencies were imported first: the module's own cost
         (module object + globals dict, a function object per def, class objects and
         their method maps, module-level data built at import, interned qstrs)

qstr: growth of the interned-qstr pool over the own import (micropython.qstr_info():
n_qstr and n_total_bytes; the pool is allocated from the GC heap, so it is part of
`own`).  Counts, from the source (ast): top-level defs, classes, methods (defs in class
bodies), class-level data attributes, nested defs (closures, created per call),
module-level names: const() (underscore: inlined, not in globals), other ints, data
structures (dict/list/tuple/set/bytearray displays or calls built at import), other; and
`globals` = len(module.__dict__) at run time.
"""
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bundle  # noqa: E402
import heapmin  # noqa: E402
import romfs as R  # noqa: E402

HEAP = 4 * 1024 * 1024

# MicroPython side.  argv: MODULE DEP...  (DEPs imported first, not counted).
_SCRIPT = r'''
import gc, sys, micropython
name = sys.argv[1]
for d in sys.argv[2:]:
    __import__(d)
before = list(sys.modules)
gc.collect()
gc.collect()
a0 = gc.mem_alloc()
print("QSTR-BEFORE")
micropython.qstr_info()
__import__(name)
gc.collect()
gc.collect()
a1 = gc.mem_alloc()
print("QSTR-AFTER")
micropython.qstr_info()
m = sys.modules[name]
new = [k for k in sys.modules if k not in before and k != name]
print("IMPORT-RESULT %d %d %s" % (a1 - a0, len(m.__dict__), ",".join(new)))
'''


def _qstr(line):
    # "qstr pool: n_pool=1, n_qstr=18, n_str_data_bytes=226, n_total_bytes=514"
    kv = {}
    for part in line.split(":", 1)[1].split(","):
        k, _, v = part.strip().partition("=")
        kv[k] = int(v)
    return kv


def run(cmd_head, env, name, deps):
    p = subprocess.run(cmd_head + [name] + list(deps), cwd=ROOT, env=env,
                       capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0 or "IMPORT-RESULT" not in out:
        raise RuntimeError("%s: exit %d: %s" % (name, p.returncode,
                                                 (out + p.stderr.decode())[-600:]))
    q = {}
    res = None
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line in ("QSTR-BEFORE", "QSTR-AFTER"):
            q[line] = _qstr(lines[i + 1])
        elif line.startswith("IMPORT-RESULT "):
            parts = line.split(" ")
            res = (int(parts[1]), int(parts[2]), [d for d in parts[3].split(",") if d]
                   if len(parts) > 3 else [])
    qb, qa = q["QSTR-BEFORE"], q["QSTR-AFTER"]
    return {"bytes": res[0], "globals": res[1], "deps": res[2],
            "qstrs": qa["n_qstr"] - qb["n_qstr"],
            "qstr_bytes": qa["n_total_bytes"] - qb["n_total_bytes"],
            "qstr_data": qa["n_str_data_bytes"] - qb["n_str_data_bytes"]}


_DATA_CALLS = ("dict", "list", "tuple", "set", "frozenset", "bytearray", "array")


def source_counts(name):
    if name.startswith("mhttp."):
        path = os.path.join(ROOT, "lib", "mhttp", name[6:] + ".py")
    elif name == "mhttp":
        path = os.path.join(ROOT, "lib", "mhttp", "__init__.py")
    else:
        path = os.path.join(ROOT, "ports", "unix", name + ".py")
    if not os.path.exists(path):
        return {}
    tree = ast.parse(open(path).read())
    c = {"defs": 0, "classes": 0, "methods": 0, "class_attrs": 0, "nested": 0,
         "const": 0, "ints": 0, "data": 0, "other": 0}

    def nested(node):
        for n in ast.walk(node):
            if n is not node and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                ast.Lambda)):
                c["nested"] += 1

    def value_kind(v):
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name):
            if v.func.id == "const":
                return "const"
            if v.func.id in _DATA_CALLS:
                return "data"
        if isinstance(v, (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.DictComp,
                          ast.ListComp, ast.SetComp)):
            return "data"
        if isinstance(v, ast.Constant) and isinstance(v.value, int) and not isinstance(
                v.value, bool):
            return "ints"
        return "other"

    def top(body):
        for n in body:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                c["defs"] += 1
                nested(n)
            elif isinstance(n, ast.ClassDef):
                c["classes"] += 1
                for b in n.body:
                    if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        c["methods"] += 1
                        nested(b)
                    elif isinstance(b, (ast.Assign, ast.AnnAssign)):
                        c["class_attrs"] += 1
            elif isinstance(n, ast.Assign):
                c[value_kind(n.value)] += len(n.targets)
            elif isinstance(n, (ast.If, ast.Try)):
                top(n.body)
                for h in getattr(n, "handlers", ()):
                    top(h.body)
                top(n.orelse)
    top(tree.body)
    # Every function, lambda and comprehension is a raw code object; from ROMFS its
    # descriptor still takes ~60 bytes of heap at import (bytecode stays in flash).  A
    # bytes constant is a heap object (~40 bytes) per function that uses it (str
    # constants are qstrs, small ints are free).
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)
    c["rawcodes"] = 1
    c["bytes_consts"] = 0

    def walk(node, seen):
        for ch in ast.iter_child_nodes(node):
            if isinstance(ch, scopes):
                c["rawcodes"] += 1
                inner = set()
                walk(ch, inner)
                c["bytes_consts"] += len(inner)
            else:
                if isinstance(ch, ast.Constant) and isinstance(ch.value, bytes):
                    seen.add(ch.value)
                walk(ch, seen)
    top_seen = set()
    walk(tree, top_seen)
    c["bytes_consts"] += len(top_seen)
    return c


def modules():
    names = ["mhttp"] + ["mhttp." + m for m in sorted(bundle.all_modules()) if m != "__init__"]
    return [n for n in names if not n.endswith("__main__") and "_cpy" not in n
            and "huffdec" not in n] + ["_mhttp_port"]


def measure(names, rom=True, fs=False, log=print):
    tmp = tempfile.mkdtemp(prefix="board-import-")
    try:
        b = bundle.build("unix", quiet=True, out=os.path.join(tmp, "bundle"))
        script = os.path.join(tmp, "imp.py")
        env = dict(os.environ)
        modes = []
        if rom:
            with open(script + ".rom.py", "w") as f:
                f.write(heapmin._ROM_PRELUDE % R.MOUNT_SRC + _SCRIPT)
            img = R.image(b["dir"])
            flash = R.make_flash(os.path.join(tmp, "romfs.flash"),
                                 (len(img) + R.SECTOR - 1) // R.SECTOR * R.SECTOR, img)
            modes.append(("rom", R.launch_cmd(flash) + ["-X", "heapsize=%d" % HEAP,
                                                        script + ".rom.py"], ".frozen"))
        if fs:
            with open(script, "w") as f:
                f.write(_SCRIPT)
            modes.append(("fs", [heapmin.micropython(), "-X", "heapsize=%d" % HEAP, script],
                          ".frozen:%s" % b["dir"]))
        rows = {}
        for name in names:
            row = rows.setdefault(name, {"module": name, "src": source_counts(name)})
            for mode, head, path in modes:
                env["MICROPYPATH"] = path
                t = run(head, env, name, ())
                o = run(head, env, name, t["deps"]) if t["deps"] else t
                row[mode] = {"total": t["bytes"], "own": o["bytes"], "deps": t["deps"],
                             "globals": o["globals"], "qstrs": o["qstrs"],
                             "qstr_bytes": o["qstr_bytes"], "qstr_data": o["qstr_data"]}
            log("  measured %s" % name)
        return list(rows.values())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    as_json = "--json" in argv
    fs = "--fs" in argv
    rom = "--no-rom" not in argv
    sort = "own"
    if "--sort" in argv:
        sort = argv[argv.index("--sort") + 1]
    names = [a for i, a in enumerate(argv) if not a.startswith("--")
             and (i == 0 or argv[i - 1] != "--sort")] or modules()
    rows = measure(names, rom=rom, fs=fs, log=(lambda s: None) if as_json else
                   (lambda s: print(s, file=sys.stderr)))
    key = "rom" if rom else "fs"
    rows.sort(key=lambda r: -r[key][sort])
    if as_json:
        print(json.dumps(rows, indent=1))
        return 0
    print("import cost, GC heap bytes (64-bit unix port; own = deps imported first; "
          "qstr = interned-qstr pool growth of the own import)")
    hdr = "| module |"
    if rom:
        hdr += " rom own | rom total | qstrs (pool bytes, str bytes) |"
    if fs:
        hdr += " fs own | fs total |"
    hdr += (" globals | rawcodes | bytes consts | defs | classes | methods | cls attrs | nested"
            " | const | ints | data | other |")
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    tot = {"rom": 0, "fs": 0}
    for r in rows:
        s = r["src"]
        line = "| %s |" % r["module"]
        if rom:
            x = r["rom"]
            line += " %d | %d | %d (%d, %d) |" % (x["own"], x["total"], x["qstrs"],
                                                 x["qstr_bytes"], x["qstr_data"])
            tot["rom"] += x["own"]
        if fs:
            x = r["fs"]
            line += " %d | %d |" % (x["own"], x["total"])
            tot["fs"] += x["own"]
        line += " %d | %s |" % (r[key]["globals"], " | ".join(
            str(s.get(k, "")) for k in ("rawcodes", "bytes_consts", "defs", "classes", "methods", "class_attrs", "nested",
                                        "const", "ints", "data", "other")))
        print(line)
    print("sum of own: " + ", ".join("%s %d" % (k, v) for k, v in tot.items() if v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
