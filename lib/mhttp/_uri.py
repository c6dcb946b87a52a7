# mhttp._uri: the part of mhttp.util a client needs for every request (parse_uri,
# to_authority, scheme_to_port and their helpers _in and _out).  They live in
# mhttp.request, which runs them for every request (board RAM: one module fewer on the
# request path, ~0.3 KB from ROMFS); this module names them for mhttp.util and its
# helpers (mhttp._util_ip, _util_path, _util_date), which import them from here.
from mhttp.request import scheme_to_port, to_authority, parse_uri, _in, _out  # noqa: F401
