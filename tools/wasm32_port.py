#!/usr/bin/env python3
# The wasm32 MicroPython port: npm's @micropython/micropython-webassembly-pyscript
# (VERSION, pinned: a release MicroPython, the kind boards run, and a 32-bit one), run by
# node, installed into .venv/node (git-ignored).  One install for its two users:
# tools/bench/bench_board_32bit.py (32-bit board RAM) and
# tests_host/test_portable_on_micropython_127.py (the portable core tests on it, through
# tools/mptest_wasm.mjs).  `make setup` (so `make test`) runs this file:
#
#   .venv/bin/python tools/wasm32_port.py      # installs when missing; prints the dir
#
# node and npm come from tools/sysdeps.sh (apt); missing, this fails loudly.  The only
# network use is that npm install (once).
import json
import os
import shutil
import subprocess
import sys

PACKAGE = "@micropython/micropython-webassembly-pyscript"
VERSION = "1.27.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_DIR = os.path.join(ROOT, ".venv", "node")
PKG_DIR = os.path.join(NODE_DIR, "node_modules", *PACKAGE.split("/"))


def version(pj=os.path.join(PKG_DIR, "package.json")):
    # The installed package's version, or None.
    try:
        with open(pj) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def install(who="wasm32_port"):
    # The pinned port in .venv/node (npm's registry, once); returns node's path.
    # SystemExit (loud) when node or npm is missing or the install fails.
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise SystemExit("%s: node and npm are required (the wasm32 MicroPython is the npm "
                         "package %s@%s; tools/sysdeps.sh installs them); found node=%s "
                         "npm=%s" % (who, PACKAGE, VERSION, node, npm))
    if version() != VERSION:
        os.makedirs(NODE_DIR, exist_ok=True)
        print("installing %s@%s into %s (npm)" % (PACKAGE, VERSION, NODE_DIR))
        r = subprocess.run([npm, "install", "--prefix", NODE_DIR, "--no-audit", "--no-fund",
                            "--save-exact", "%s@%s" % (PACKAGE, VERSION)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        if r.returncode != 0 or version() != VERSION:
            raise SystemExit("%s: npm install %s@%s failed:\n%s"
                             % (who, PACKAGE, VERSION, r.stdout.decode(errors="replace")))
    return node


if __name__ == "__main__":
    install()
    print("wasm32 MicroPython %s@%s: %s" % (PACKAGE, VERSION, PKG_DIR))
    sys.exit(0)
