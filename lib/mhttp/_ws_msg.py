# mhttp._ws_msg: the texts of the error messages of mhttp.ws (ids 0-42) and mhttp.websocket
# (43 on), indexed by their _M_* ids, loaded at the first error (board RAM: a string
# constant costs heap on MicroPython even from ROMFS; a connection that never fails never
# loads them).  Keep the order in step with the ids (tests_host/core/test_ws_lazy.py checks).
MSG = (
    # _M_RSV
    "RSV bits set without a negotiated extension",
    # _M_OPCODE
    "unknown opcode 0x%x",
    # _M_CTRL_FRAG
    "control frames MUST NOT be fragmented (§5.5)",
    # _M_CTRL_LEN
    "control frames MUST have a payload length of 125 bytes or less (§5.5)",
    # _M_CTRL_RSV
    "RSV1 on a control frame",
    # _M_CONT
    "continuation frame without a message to continue",
    # _M_CONT_RSV
    "RSV1 on a continuation frame",
    # _M_INTERLEAVED
    "new data frame while a fragmented message is in progress",
    # _M_MASKED
    "a client MUST close a connection if it detects a masked frame (§5.1)",
    # _M_UNMASKED
    "the server MUST close the connection upon receiving a frame that is not masked (§5.1)",
    # _M_MINLEN
    "the minimal number of bytes MUST be used to encode the length (§5.2)",
    # _M_MSB
    "the most significant bit of a 64-bit length MUST be 0 (§5.2)",
    # _M_FRAME_BIG
    "frame of %d bytes over max_frame_size %d",
    # _M_MSG_BIG
    "message over max_message_size %d",
    # _M_CLOSE_1
    "a close payload MUST start with a 2-byte status code (§5.5.1)",
    # _M_CLOSE_CODE
    "invalid close code %d (§7.4)",
    # _M_CLOSE_UTF8
    "close reason is not valid UTF-8 (§5.5.1)",
    # _M_UTF8
    "invalid UTF-8 in a text message",
    # _M_Z_EMPTY
    "compressed message without any deflate data",
    # _M_BOMB
    "decompression bomb: message over max_message_size %d",
    # _M_SEND_CLOSING
    "cannot send: the closing handshake has started",
    # _M_REASON_NO_CODE
    "a close reason needs a close code",
    # _M_SEND_CODE
    "close code %d may not be sent (§7.4)",
    # _M_REASON_UTF8
    "a close reason must be UTF-8",
    # _M_REASON_LONG
    "close reason too long (123 bytes at most)",
    # _M_Z_BIG
    "compressed message over max_message_size",
    # _M_Z_BAD
    "invalid compressed data: %r",
    # _M_Z_BOMB
    "decompression bomb: message over max_message_size",
    # _M_PMD_DUP
    "permessage-deflate: duplicate parameter %r",
    # _M_PMD_SBITS
    "permessage-deflate: bad server_max_window_bits",
    # _M_PMD_SOVER
    "permessage-deflate: server_max_window_bits over what we offered",
    # _M_PMD_CBITS
    "permessage-deflate: bad client_max_window_bits",
    # _M_PMD_PARAM
    "permessage-deflate: unexpected parameter %r",
    # _M_PMD_SREFUSED
    "permessage-deflate: the server did not accept server_max_window_bits",
    # _M_PMD_TAKEOVER
    "permessage-deflate: the server kept server context takeover, which "
    "MicroPython's inflater cannot follow",
    # _M_HS_H2_STATUS
    "RFC 8441: the server answered %s, not 2xx",
    # _M_HS_STATUS
    "§4.1: the server answered %s, not 101",
    # _M_HS_UPGRADE
    "§4.1: the response lacks Upgrade: websocket",
    # _M_HS_CONNECTION
    "§4.1: the response lacks Connection: Upgrade",
    # _M_HS_ACCEPT
    "§4.1: Sec-WebSocket-Accept does not match the key",
    # _M_HS_PROTOCOL
    "§4.1: the server chose a subprotocol we did not offer: %r",
    # _M_HS_EXTENSION
    "§4.1: the server accepted an extension we did not offer: %r",
    # _M_HS_PMD_TWICE
    "§4.1: permessage-deflate accepted twice",
    # -- mhttp.websocket (ids from 43)
    # _M_CONNECT_USED
    "websocket: connect() is for a new client websocket",
    # _M_H2_NO_CONNECT
    "RFC 8441: the HTTP/2 server does not allow extended CONNECT "
    "(SETTINGS_ENABLE_CONNECT_PROTOCOL)",
    # _M_NO_RESPONSE
    "websocket: connection closed before a response",
    # _M_NOT_CONNECTED
    "websocket: not connected",
    # _M_CLOSED
    "websocket: the connection is closed",
    # _M_URI_CHAR
    "websocket: whitespace or control character in URI",
    # _M_URI_ABS
    "websocket: not an absolute URI: %r",
    # _M_URI_SCHEME
    "websocket: scheme must be ws or wss: %r",
    # _M_URI_IPV6
    "websocket: bad IPv6 literal in %r",
    # _M_URI_AUTH
    "websocket: bad authority in %r",
    # _M_URI_HOST
    "websocket: URI without a host: %r",
    # _M_URI_PORT
    "websocket: bad port in %r",
    # _M_NO_HEAP
    "no heap for the message being received (MemoryError)",
    # _M_URI_HTTP10 (mhttp._ws_uri)
    "websocket: version 1.0: the opening handshake needs HTTP/1.1 or HTTP/2 (RFC 6455 "
    "§4.1); version=1.1 or 2",
)
