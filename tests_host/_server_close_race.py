# mhttp.server's close() and pause() racing a listen() that is still binding
# (tests_host/test_server_close_race.py), portable (CPython and the MicroPython unix port):
#   python tests_host/_server_close_race.py SCENARIO PORT [streams]
# Prints "KEY value" lines for the test to check, then END.  Each case reuses PORT (the
# one before closed it); STEPS: the event loop turns a listen() gets before the race
# (0: not started; the bind is under way for 1 on MicroPython, 1-3 and more on CPython).
#   loop    loop() in a task, STEPS turns, then close(): "LOOPn returned listening tasks"
#   listen  as loop with an explicit `await srv.listen()` in the other task
#   pause   listen() in a task, STEPS turns, pause(): once it returned not listening and
#           localname() None; resume() listens and serves again; close()
#   undo    listen() in a task, one turn, pause() then resume() while it binds: it
#           listens and serves
#   after   listen() after close(): nothing bound
#   double  a listen() in a task, one turn, then loop() in another: one bind (no
#           EADDRINUSE from a second one), served, close() ends both
# "listening": a blocking connect() to PORT succeeds (the kernel completes it for any
# listening socket, accepted or not); "tasks": the tasks left besides this one (CPython:
# asyncio.all_tasks; MicroPython: asyncio.core's run and I/O queues).
import sys

try:
    import _mhttp_port  # noqa: F401
except ImportError:
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [os.path.join(root, "lib"), os.path.join(root, "ports", "cpython")]

import asyncio
import socket
from mhttp.headers import Headers
from mhttp import server as mserver

CPY = sys.implementation.name == "cpython"
OPT = {}
STEPS = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12)


async def app(srv, stream):
    await stream.get_headers()
    await stream.write_headers(Headers([(":status", "200"), ("content-length", "2")]), False)
    await stream.write_chunk(b"ok", True)


def make(port):
    return mserver.listen(app, host="127.0.0.1", port=port, streams=OPT.get("streams", False))


def listening(port):
    s = socket.socket()
    try:
        s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
        return True
    except OSError:
        return False
    finally:
        s.close()


def tasks():
    if CPY:
        return len(asyncio.all_tasks()) - 1
    core = asyncio.core
    return (core._task_queue.peek() is not None) + len(core._io_queue.map)


async def get(port):
    # the status line of GET / on a new connection, or what happened instead
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
    except Exception:
        return "refused"
    try:
        w.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await w.drain()
        d = await asyncio.wait_for(r.read(200), 2)
    except Exception as e:
        d = repr(e).encode()
    w.close()
    return d.split(b"\r\n")[0].decode() or "eof"


async def turns(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def done(t):
    # t's outcome within 2 s: "returned", or what it raised
    try:
        await asyncio.wait_for(t, 2)
        return "returned"
    except BaseException as e:
        return repr(e).replace(" ", "")


async def settle():
    # a few turns for what close() left behind (before the fix: the listen that went on)
    await asyncio.sleep(0.05)


async def race(port, explicit):
    for n in STEPS:
        s = make(port)
        t = asyncio.create_task(s.listen() if explicit else s.loop())
        await turns(n)
        await s.close()
        st = await done(t)
        await settle()
        print("%s%d %s %s %d" % ("LISTEN" if explicit else "LOOP", n, st, listening(port),
                                 tasks()))
        if st != "returned":
            # (before the fix: whatever it left listening, closed, for the next case)
            s._closing = False
            await s.close()


async def pause(port):
    for n in STEPS[1:6]:
        s = make(port)
        t = asyncio.create_task(s.listen())
        await turns(n)
        s.pause()
        st = await done(t)
        await settle()
        print("PAUSE%d %s %s %s" % (n, st, listening(port), s.localname()))
        await s.resume()
        print("RESUME%d %s %s" % (n, await get(port), s.localname() is not None))
        await s.close()
        await settle()
        print("CLOSED%d %s %d" % (n, listening(port), tasks()))


async def undo(port):
    s = make(port)
    t = asyncio.create_task(s.listen())
    await turns(1)
    s.pause()
    await s.resume()
    st = await done(t)
    print("UNDO %s %s" % (st, await get(port)))
    await s.close()
    await settle()
    print("CLOSED %s %d" % (listening(port), tasks()))


async def after(port):
    s = make(port)
    await s.close()
    await s.listen()
    await settle()
    print("AFTER %s %s %d" % (listening(port), s.localname(), tasks()))
    await s.close()


async def double(port):
    s = make(port)
    t = asyncio.create_task(s.listen())
    await turns(1)
    t2 = asyncio.create_task(s.loop())
    print("FIRST %s" % await done(t))
    await turns(3)
    print("SERVED %s %s" % (await get(port), t2.done()))
    await s.close()
    print("LOOP %s" % await done(t2))
    await settle()
    print("CLOSED %s %d" % (listening(port), tasks()))


def main():
    what = sys.argv[1]
    port = int(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "streams":
        OPT["streams"] = True
    if what == "loop":
        asyncio.run(race(port, False))
    elif what == "listen":
        asyncio.run(race(port, True))
    elif what == "pause":
        asyncio.run(pause(port))
    elif what == "undo":
        asyncio.run(undo(port))
    elif what == "after":
        asyncio.run(after(port))
    elif what == "double":
        asyncio.run(double(port))
    print("END")


main()
