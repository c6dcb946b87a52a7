# mhttp._io_socket: SocketIO, the I/O object over a blocking socket (the blocking face of
# every driver: its coroutines never suspend, mhttp._io.run_blocking drives them), and
# Blocking, the blocking face of the connections and streams built on it (public as
# mhttp.blocking.Blocking).  The interface is described in mhttp._io; an asyncio server
# never loads this module.
# Board RAM: Blocking lives here, not in a module of its own: every blocking program
# loads this module with its first connection, and a module costs its object, its dict
# and its name (a blocking h1 client, ROMFS: one module less).  At most 12 globals (a
# dict of 13-17 entries takes 320 B on a board, of up to 12 224 B): mhttp._io read as
# _io.<name>, the errors imported where raised, the lists of rare names are literals.
import mhttp._io as _io
from mhttp._lazy import bind, settle

# SocketIO's methods a plain exchange does not call (peername, localname, alpn: asked by
# an application or for TLS; expire: a Reaper's, which never holds a SocketIO) live in
# mhttp._io_rare, bound on first use (mhttp._lazy): "peername localname alpn expire",
# written in __getattr__ and in settle() at the end (equal literals are one object).  So
# does the texts' _err, imported at each raise site under a local's name (board RAM: no
# def here).  The reads and writes of a socket with a timeout (no poll mode: CPython,
# CircuitPython; settimeout, readinto, sendall) live in mhttp._io_plain, bound the same
# way: MicroPython's sockets always run in poll mode, so a board does not carry that
# code (~0.4 KB of bytecode, heap when the .mpy loads from a filesystem).


class SocketIO:
    # Over a blocking socket (CPython socket or ssl socket, MicroPython socket, CircuitPython
    # socketpool socket).  Coroutine methods never suspend: drive them with run_blocking.

    # Board RAM: defaults on the class (an instance's dict holds what differs); the
    # private fields and helpers (raw, buf, recv_into, poll, timeout, settimeout, wait)
    # carry names MicroPython already has, so they intern nothing.
    deadline = None
    closed = False
    tls = False
    poll = None
    timeout = -1

    def __init__(self, sock, bufsize=_io.DEFAULT_BUFSIZE, tls=False, addr=None, raw=None):
        self.sock = sock
        # MicroPython's SSLSocket has no settimeout: timeouts go on the socket it wraps.
        self.raw = raw if raw is not None and not hasattr(sock, "settimeout") else sock
        self.buf = memoryview(bytearray(bufsize))
        # Not readinto: MicroPython's socket.readinto follows the "no short reads" policy
        # (it blocks until the whole buffer is full), so it would hang on a short reply.
        self.recv_into = getattr(sock, "recv_into", None)
        if self.recv_into is None and self.raw is sock and hasattr(sock, "readinto"):
            # MicroPython plain socket: no recv_into, and recv(n) allocates n fresh bytes
            # on every read (the 2 KiB block that was the failing allocation of the h1
            # client at its smallest heap, with the buffer above unused).  readinto on a
            # non-blocking socket reads what has arrived into the buffer; waits go
            # through poll, as for TLS below.
            import select
            sock.setblocking(False)
            self.recv_into = sock.readinto
            self.poll = select.poll()
            self.poll.register(sock, select.POLLIN)
        if tls:
            self.tls = tls
        # (always set, None too: a port passes the address, and one class attribute
        # fewer keeps the class's table at 17 slots on MicroPython, not 23)
        self.addr = addr
        if self.raw is not sock:
            # MicroPython TLS: reads on an SSLSocket over a socket with a timeout never
            # deliver (measured on 1.29: ETIMEDOUT although the reply had arrived), so the
            # SSLSocket is made non-blocking and waits go through select.poll on the raw
            # socket (a None/EAGAIN read means "no whole record yet"; data mbedTLS already
            # decrypted is returned at once, so poll never sleeps on buffered bytes).
            import select
            sock.setblocking(False)
            self.poll = select.poll()
            self.poll.register(raw, select.POLLIN)

    def __getattr__(self, name):
        # (not Blocking's __getattr__ with a branch for this class, as Request's serves
        # Pool and ClientStream: measured, Blocking's bigger frame, made on every call
        # through the wrapper, or its class placed first cost the h1 client from ROMFS or
        # the WebSocket client 256 B to 1 KiB of smallest heap)
        if name in "settimeout readinto sendall".split():
            return bind(self, name, "mhttp._io_plain", "settimeout readinto sendall")
        return bind(self, name, "mhttp._io_rare", "peername localname alpn expire")

    def wait(self, start, timeout, write):
        # poll mode: waits until the raw socket is readable (writable if write), or raises
        # Timeout once `timeout` seconds have passed since `start` (ticks_ms).
        import select
        left = -1
        if timeout is not None:
            left = int(timeout * 1000) - _io.ticks_diff(_io.ticks_ms(), start)
            if left <= 0:
                from mhttp._io_rare import _err as p
                if write:
                    raise p(3, timeout)  # write timed out after %ss
                raise p(2, timeout)  # read timed out after %ss
        p = self.poll
        p.modify(self.raw, select.POLLOUT if write else select.POLLIN)
        if hasattr(p, "ipoll"):
            # MicroPython: ipoll returns the poll object itself, where poll makes a list
            # of result tuples per wait (heap garbage on a board, per read that waits)
            p.ipoll(left)
        else:
            p.poll(left)

    # recv and send are thin coroutines over the plain methods read and write (names
    # MicroPython has built in): a coroutine's frame is a heap block that lives until
    # it is collected (on MicroPython 224 and 320 B for these bodies, per read and per
    # write: blocks a fragmented board heap may not have), a plain call's is freed on
    # return (or put on the C stack).
    # (timeout without a default, as mhttp._io's interface has it: a function with a
    # default argument takes 64 B on a board, one without 32)
    async def recv(self, timeout):
        return self.read(timeout)

    async def send(self, pieces, timeout):
        self.write(pieces, timeout)

    def read(self, timeout):
        if self.closed:
            from mhttp._io_rare import _err as mv
            raise mv(0)   # recv on a closed connection
        if self.poll is None:
            # a socket with a timeout (CPython, CircuitPython): mhttp._io_plain's
            return self.readinto(timeout)
        mv = self.buf
        start = _io.ticks_ms()
        for _ in range(1000000):
            try:
                n = self.recv_into(mv)
            except OSError as e:
                n = e.args[0] if e.args else 0
                if n == 11 or n == 35:  # EAGAIN (Linux, BSD): nothing to read yet
                    n = None
                else:
                    raise _io._oserror(e, "read")
            if n is not None:
                return mv[:n] if n else b""
            self.wait(start, timeout, False)
        from mhttp._io_rare import _err as mv
        raise mv(4)   # read made no progress

    def write(self, pieces, timeout):
        if self.closed:
            from mhttp._io_rare import _err as s
            raise s(1)   # send on a closed connection
        if self.poll is None:
            # a socket with a timeout (CPython, CircuitPython): mhttp._io_plain's
            self.sendall(pieces, timeout)
            return
        s = self.sock
        start = _io.ticks_ms()
        for p in pieces:
            mv = memoryview(p)
            while len(mv):
                try:
                    n = s.write(mv)
                except OSError as e:
                    n = e.args[0] if e.args else 0
                    if n == 11 or n == 35:  # EAGAIN (Linux, BSD): no room yet
                        n = None
                    else:
                        raise _io._oserror(e, "write")
                if not n:
                    self.wait(start, timeout, True)
                    continue
                mv = mv[n:]

    def abort(self):
        if self.closed:
            return
        # The socket first, then the flag: setting closed adds an entry to this object's
        # attribute table (a class default until now), an allocation that can fail on a
        # full board heap, where an abort follows a MemoryError (ClientStream._release
        # after a failed read): the socket is closed all the same.
        try:
            self.sock.close()
        except Exception:
            pass
        self.closed = True

    async def close(self):
        self.abort()


# -- Blocking: the blocking face (mhttp.blocking's description) ---------------------------
# RAM: one class (each def is heap on a board); a method call through the wrapper makes one
# small closure (no wrapper object per call), iteration is the wrapper's own __next__.

class Blocking:
    def __init__(self, obj):
        object.__setattr__(self, "_obj", obj)

    def __getattr__(self, name):
        v = getattr(self._obj, name)
        if callable(v) and not isinstance(v, type):
            def call(*a, **kw):
                r = v(*a, **kw)
                if hasattr(r, "send") and hasattr(r, "throw"):     # a coroutine: run it
                    r = _io.run_blocking(r)
                if (hasattr(r, "get_next_chunk") or hasattr(r, "new_stream")) and \
                        not isinstance(r, Blocking):
                    return Blocking(r)
                return r
            return call
        if hasattr(v, "get_next_chunk") or hasattr(v, "new_stream"):
            return Blocking(v)
        return v

    def __setattr__(self, name, value):
        setattr(self._obj, name, value)

    def unwrap(self):
        return self._obj

    def __iter__(self):
        # the body chunks of a wrapped stream (get_next_chunk until None)
        return self

    def __next__(self):
        c = _io.run_blocking(self._obj.get_next_chunk())
        if c is None:
            raise StopIteration
        return c

    def __repr__(self):
        # (two short str literals are interned names; "Blocking(%r)" would be a heap
        # object on a board, even from ROMFS)
        return "%s(%r)" % ("Blocking", self._obj)


# CPython: bound at import, no __getattr__ (mhttp._lazy)
settle(SocketIO, "mhttp._io_rare", "peername localname alpn expire")
settle(SocketIO, "mhttp._io_plain", "settimeout readinto sendall")
