# mhttp._server_tls: what only a TLS connection of MicroPython's accept loop
# (mhttp.server.Stream) runs, set on the TLS server's own Stream class by
# mhttp._server_setup.start_server (board RAM: a cleartext server never loads it).


def abort(self):
    # StreamIO.abort, then the accepted socket itself (self.tls, see Stream._serve):
    # after an mbedTLS error (a plain-HTTP request sent to the TLS port, a corrupt
    # record) MicroPython's SSLSocket.close() leaves the socket it wraps open, and
    # nothing else would close it (one socket lost per such connection).  Closing it
    # again after a clean close is harmless.
    from mhttp._io_stream import StreamIO
    StreamIO.abort(self)
    try:
        self.tls.close()
    except Exception:
        pass


def readinto(self, buf):
    # mhttp._io_stream_more.readinto, and on a record that is not TLS at all
    # (MBEDTLS_ERR_SSL_INVALID_RECORD, -0x7200: a plain-HTTP request sent to the TLS
    # port, a browser told http:// for https://) a clear-text 400 on the accepted
    # socket before the error goes on (and the connection ends), as nginx answers.
    # Best effort: what is left of the request is read first (one buffer, so that the
    # close is a FIN the client reads the answer before, not a reset).
    import asyncio
    yield asyncio.core._io_queue.queue_read(self.s)
    try:
        return self.s.readinto(buf)
    except OSError as e:
        if e.args and e.args[0] == -29184:
            s = self.tls
            try:
                s.readinto(buf)
                s.write(b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\n"
                        b"content-length: 41\r\nconnection: close\r\n\r\n"
                        b"plain HTTP request sent to an HTTPS port\n")
            except Exception:
                pass
        raise e
