# mhttp._io_plain: mhttp._io_socket.SocketIO's reads and writes on a socket with a timeout
# (CPython's sockets and ssl sockets, CircuitPython's socketpool sockets: no poll mode),
# bound on SocketIO by mhttp._lazy on its first such read or write (at import on CPython).
# Board RAM: MicroPython's sockets, plain or TLS, always run in poll mode (SocketIO.read
# and write themselves), so a MicroPython program does not load this code (its bytecode
# is heap when the .mpy loads from a filesystem).  The names are ones MicroPython has
# built in (readinto, sendall, settimeout): they intern nothing.
import mhttp._io as _io


def settimeout(self, timeout):
    if timeout != self.timeout:
        self.raw.settimeout(timeout)
        self.timeout = timeout


def readinto(self, timeout):
    # SocketIO.read without poll: a read into the receive buffer, up to timeout.
    self.settimeout(timeout)
    mv = self.buf
    try:
        if self.recv_into is not None:
            n = self.recv_into(mv)
            k = 0
            while n is None and k < 64:
                # MicroPython's SSLSocket returns None when a TLS record carried no
                # application data (a TLS 1.3 session ticket): read again.
                k += 1
                n = self.recv_into(mv)
            if n is None:  # MicroPython non-blocking socket with nothing to read
                from mhttp._io_rare import _err as mv
                raise mv(2, timeout)  # read timed out after %ss
            return mv[:n] if n else b""
        return self.sock.recv(len(mv))
    except OSError as e:
        raise _io._oserror(e, "read")
    except Exception as e:  # CPython socket.timeout is an OSError subclass; others
        from mhttp.errors import Error
        if isinstance(e, Error):
            raise
        n = type(e).__name__
        # (timeout or TimeoutError: the second built here, on an error, not a str
        # constant, a heap object on a board even from ROMFS)
        if n == "timeout" or n == "Timeout" + "Error":
            from mhttp._io_rare import _err as mv
            raise mv(2, timeout)  # read timed out after %ss
        raise


def sendall(self, pieces, timeout):
    # SocketIO.write without poll: every piece sent, each send up to timeout.
    self.settimeout(timeout)
    s = self.sock
    try:
        for p in pieces:
            mv = memoryview(p)
            while len(mv):
                n = s.send(mv)
                if n is None:
                    n = 0
                mv = mv[n:]
    except OSError as e:
        raise _io._oserror(e, "write")
