# A scripted I/O object for the portable server tests (test_h2_lazy, test_h2_reader_end).
class ServerIO:
    # A scripted I/O object for a server connection driven in memory (e.g.
    # mhttp._h2_server.serve_connection): a subclass writes recv(); what the server sends
    # is kept in .out when the subclass sets it to a list.
    blocking = False
    tls = False
    closed = False
    out = None

    async def send(self, pieces, timeout=None):
        if self.out is not None:
            self.out.append(b"".join([bytes(p) for p in pieces]))

    def expire(self):
        pass

    def abort(self):
        self.closed = True

    async def close(self):
        pass
