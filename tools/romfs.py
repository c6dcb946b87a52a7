#!/usr/bin/env python3
"""ROMFS on the MicroPython unix port, laid out as a board's memory-mapped flash partition.

    .venv/bin/python tools/romfs.py build DIR -o IMG          # mpremote's image format
    .venv/bin/python tools/romfs.py run FLASH -- [micropython args...]

What a real board does (MicroPython >= 1.25, https://docs.micropython.org/en/latest/
reference/romfs.html): a flash partition is memory-mapped (XIP on the RP2040, the MMU
cache on the ESP32); `vfs.rom_ioctl(2, 0)` returns it; at boot the firmware mounts
`vfs.VfsRom(<partition>)` at /rom and puts /rom and /rom/lib on sys.path; an .mpy
imported from there executes IN PLACE (bytecode, qstr data and str/bytes constants stay
in flash), so only the objects the code creates take GC heap.  `mpremote romfs deploy`
rewrites the partition through vfs.rom_ioctl (erase, program, complete).

The emulation here: `run` maps a host file (the "flash", FLASH) with mmap(MAP_SHARED)
into the process that runs the unix port IN-PROCESS (the venv's `micropython` command is
a CPython wrapper around the C extension `micropython_run`; we call its run_main), so
the partition is real memory OUTSIDE the MicroPython GC heap, exactly like a memory-
mapped flash partition.  Its address and size are handed over in MHTTP_ROMFS_ADDR /
MHTTP_ROMFS_SIZE; MicroPython code sees it with uctypes.bytearray_at(addr, size).
Writes go to the file, so a deployed image survives the process (a soft reset of a
virtual board starts a new process on the same flash file).  What is NOT emulated:
flash timing, wear, and the read-only protection of a mapped partition (Python code
could write the memory directly; firmware only writes through rom_ioctl).

As a library (CPython):
    image(src_dir) -> bytes                 ROMFS image of a directory (mpremote's writer,
                                            files taken as they are: no mpy-cross)
    make_flash(path, size, data=b"")        a flash file of `size` bytes, erased (0xFF),
                                            `data` programmed at offset 0
    launch_cmd(flash) -> argv prefix        [python, tools/romfs.py, run, FLASH, --]:
                                            append the usual micropython arguments
    MOUNT_SRC                               MicroPython source that mounts the partition
                                            at /rom (for scripts run under `run`)
"""
import contextlib
import io
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTOR = 4096          # flash erase sector (ESP32 SPI flash and RP2040 QSPI flash alike)
ENV_ADDR = "MHTTP_ROMFS_ADDR"
ENV_SIZE = "MHTTP_ROMFS_SIZE"
HEADER = b"\xd2\xcd\x31"

# Mount the partition at /rom as the firmware does at boot (MicroPython side; `os` must be
# the unix port's real os, which has getenv).  Silently skipped when the partition holds
# no valid image, as on a board.
MOUNT_SRC = r'''
def _romfs_mount():
    import os, sys, vfs, uctypes
    a = os.getenv("MHTTP_ROMFS_ADDR")
    if not a:
        return False
    mem = uctypes.bytearray_at(int(a), int(os.getenv("MHTTP_ROMFS_SIZE")))
    try:
        vfs.mount(vfs.VfsRom(memoryview(mem)), "/rom")
    except OSError:
        return False
    return True
'''


def python():
    return os.environ.get("MHTTP_ROMFS_PYTHON") or os.path.join(ROOT, ".venv", "bin", "python")


def image(src_dir):
    """A ROMFS image of src_dir (mpremote.romfs.make_romfs, files copied as they are)."""
    from mpremote.romfs import make_romfs
    with contextlib.redirect_stdout(io.StringIO()):
        return make_romfs(src_dir, mpy_cross=False)


def image_size(data):
    # The size recorded in the image header (what `mpremote romfs query` prints).
    if not data.startswith(HEADER):
        return None
    size = 0
    for b in data[3:12]:
        size = (size << 7) | (b & 0x7F)
        if not b & 0x80:
            break
    return size


def make_flash(path, size, data=b""):
    if size % SECTOR:
        raise ValueError("flash size %d is not a multiple of %d" % (size, SECTOR))
    if len(data) > size:
        raise ValueError("image of %d bytes does not fit a %d-byte partition" % (len(data), size))
    with open(path, "wb") as f:
        f.write(data + b"\xff" * (size - len(data)))
    return path


def launch_cmd(flash):
    return [python(), os.path.abspath(__file__), "run", flash, "--"]


def _run(flash, argv):
    # In this process: map the flash file, hand its address over, run the unix port.
    import ctypes
    import mmap
    import micropython_run
    fd = os.open(flash, os.O_RDWR)
    size = os.fstat(fd).st_size
    mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    os.close(fd)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(mm))
    os.environ[ENV_ADDR] = str(addr)
    os.environ[ENV_SIZE] = str(size)
    rc = micropython_run.run_main(["micropython"] + list(argv))
    sys.stdout.flush()
    return rc if isinstance(rc, int) else 0


def main(argv):
    if argv[:1] == ["run"] and len(argv) >= 2:
        rest = argv[2:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
        return _run(argv[1], rest)
    import argparse
    ap = argparse.ArgumentParser(description="ROMFS images and a memory-mapped partition")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build a ROMFS image of a directory")
    b.add_argument("dir")
    b.add_argument("-o", "--output", required=True)
    sub.add_parser("run", help="run FLASH -- micropython args (see the module docstring)")
    a = ap.parse_args(argv)
    data = image(a.dir)
    with open(a.output, "wb") as f:
        f.write(data)
    print("%s: %d bytes" % (a.output, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
