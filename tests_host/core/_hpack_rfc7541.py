# RFC 7541 Appendix C examples as plain literals (portable: importable on a board).
# Each request/response: (name, wire hex, headers, dynamic table as the RFC prints it
# [(name, value)] index 62 first, table size).

C_3 = (
    ("C.3.1", "828684410f7777772e6578616d706c652e636f6d",
     [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/"),
      (b":authority", b"www.example.com")],
     [(b":authority", b"www.example.com")], 57),
    ("C.3.2", "828684be58086e6f2d6361636865",
     [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/"),
      (b":authority", b"www.example.com"), (b"cache-control", b"no-cache")],
     [(b"cache-control", b"no-cache"), (b":authority", b"www.example.com")], 110),
    ("C.3.3", "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
     [(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/index.html"),
      (b":authority", b"www.example.com"), (b"custom-key", b"custom-value")],
     [(b"custom-key", b"custom-value"), (b"cache-control", b"no-cache"),
      (b":authority", b"www.example.com")], 164),
)

# C.4: the same requests with Huffman coding (same headers and tables).
C_4 = (
    ("C.4.1", "828684418cf1e3c2e5f23a6ba0ab90f4ff", C_3[0][2], C_3[0][3], 57),
    ("C.4.2", "828684be5886a8eb10649cbf", C_3[1][2], C_3[1][3], 110),
    ("C.4.3", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", C_3[2][2], C_3[2][3], 164),
)

_D1 = b"Mon, 21 Oct 2013 20:13:21 GMT"
_D2 = b"Mon, 21 Oct 2013 20:13:22 GMT"
_LOC = b"https://www.example.com"
_SC = b"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"

# C.5: responses, SETTINGS_HEADER_TABLE_SIZE 256, no Huffman.
C_5 = (
    ("C.5.1", "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31"
              "333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
     [(b":status", b"302"), (b"cache-control", b"private"), (b"date", _D1),
      (b"location", _LOC)],
     [(b"location", _LOC), (b"date", _D1), (b"cache-control", b"private"),
      (b":status", b"302")], 222),
    ("C.5.2", "4803333037c1c0bf",
     [(b":status", b"307"), (b"cache-control", b"private"), (b"date", _D1),
      (b"location", _LOC)],
     [(b":status", b"307"), (b"location", _LOC), (b"date", _D1),
      (b"cache-control", b"private")], 222),
    ("C.5.3", "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04"
              "677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49"
              "553b206d61782d6167653d333630303b2076657273696f6e3d31",
     [(b":status", b"200"), (b"cache-control", b"private"), (b"date", _D2),
      (b"location", _LOC), (b"content-encoding", b"gzip"), (b"set-cookie", _SC)],
     [(b"set-cookie", _SC), (b"content-encoding", b"gzip"), (b"date", _D2)], 215),
)

# C.6: the same responses with Huffman coding.
C_6 = (
    ("C.6.1", "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e91"
              "9d29ad171863c78f0b97c8e9ae82ae43d3", C_5[0][2], C_5[0][3], 222),
    ("C.6.2", "4883640effc1c0bf", C_5[1][2], C_5[1][3], 222),
    ("C.6.3", "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e782"
              "1dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5"
              "b1063d5007", C_5[2][2], C_5[2][3], 215),
)
