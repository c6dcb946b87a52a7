# mhttp._h2_attr: mhttp.h2's module __getattr__ (PEP 562), private.  The names mhttp.h2
# keeps out of its RAM (the public EV_*, ST_*, SEND_*, RECV_*, CONN_* and *_NAMES of
# mhttp._h2_rare, mhttp.errors' classes, hpack's Encoder and Decoder, H2Session, and the
# _RARE list the tests read) are found here: board RAM, the names and the tests on them
# are constants of a module a plain exchange never loads.


def get(g, name):
    # mhttp.h2's module __getattr__ (g: its globals)
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(g, "H2ConnectionError H2StreamError CompressionError "
                       "ProtocolError Encoder Decoder")
    if name == "Encoder" or name == "Decoder":
        from mhttp import hpack
        return getattr(hpack, name)
    if name == "_RARE":       # H2Protocol's methods in mhttp._h2_rare (the same literal)
        return ("h2c_settings initiate_upgrade_connection update_settings "
                "settings_ack_pending_since blocked_streams start_graceful_shutdown "
                "push_stream send_priority_update _state_of "
                "_check_absent open_outbound_streams open_inbound_streams stream_state "
                "local_flow_control_window _send_data_slow end_stream reset_stream "
                "ping _emit_block")
    # PEP 562 (MicroPython has it too): the names kept out of this module's RAM.
    # (the prefixes in one str with spaces: one constant, not six interned names; the
    # *_NAMES tables are EV_NAMES, ST_NAMES and IN_NAMES)
    if " %s " % name[:name.find("_") + 1] in " SEND_ RECV_ EV_ ST_ CONN_ IN_ ":
        from mhttp import _h2_rare
        return getattr(_h2_rare, name)
    if " %s " % name in " H2ConnectionError H2StreamError CompressionError ProtocolError ":
        # mhttp.errors' classes, as when they were imported here (looked up on first
        # use: mhttp._errors_h2 stays out of a clean exchange; ProtocolError is imported
        # where used: board RAM, see the imports)
        return getattr(__import__("mhttp.errors", None, None, (name,)), name)
    if " %s " % name in " H2Session ":
        # lua-resty-http2's session class, mhttp.h2_session.H2Session (names as str
        # longer than 10 characters: not interned on a board until used)
        return getattr(__import__("mhttp.h2_session", None, None, (name,)), name)
    raise AttributeError(name)
