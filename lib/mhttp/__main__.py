# python -m mhttp CMD [args...]  (MicroPython: micropython -m mhttp CMD ...)
# Imports mhttp.cli_<cmd> and calls its main(argv): each subcommand costs RAM only when
# it is used.  Commands: serve, get (and whatever cli_*.py modules exist).
import sys

_CMDS = ("serve", "get", "ws")


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help", "help"):
        print("usage: python -m mhttp COMMAND [options]   commands: %s" % ", ".join(_CMDS))
        return 0 if argv else 2
    cmd = argv[0]
    if not cmd.replace("_", "").isalpha():
        print("mhttp: bad command %r" % cmd)
        return 2
    try:
        mod = __import__("mhttp.cli_" + cmd, None, None, ["main"])
    except ImportError as e:
        if ("cli_" + cmd) not in str(e):
            raise
        print("mhttp: unknown command %r (commands: %s)" % (cmd, ", ".join(_CMDS)))
        return 2
    return mod.main(argv[1:])


if __name__ == "__main__":
    r = main()
    if r:
        sys.exit(r)
