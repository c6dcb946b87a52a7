# mhttp._io_stream_rare: StreamIO's rarely used methods (half-close, close, names, ALPN),
# loaded on first use by mhttp._lazy.bind: a server's connections close with abort().


def shutdown_write(self):
    # Half-close (FIN after what was written); False where the stream cannot.
    w = self.writer
    try:
        if w.can_write_eof():
            w.write_eof()
            return True
    except Exception:
        pass
    return False


async def close(self):
    if self.closed:
        return
    self.abort()
    try:
        await self.writer.wait_closed()
    except Exception:
        pass


def peername(self):
    try:
        return self.writer.get_extra_info("peername")
    except Exception:
        return None


def localname(self):
    try:
        return self.writer.get_extra_info("sockname")
    except Exception:
        return None


def alpn(self):
    try:
        so = self.writer.get_extra_info("ssl_object")
    except Exception:
        return None
    if so is None:
        return None
    p = so.selected_alpn_protocol()
    return p.encode() if p else None
