# mhttp._h1c_server: what was mhttp.h1_connection's server half, now in mhttp._h1_server
# (one module for both server halves: board RAM).  Kept so that an import of this name
# still works; mhttp itself never loads it.
from mhttp._h1_server import (http_date, SERVER_NAME, MAX_DRAIN, MIN_CLOCK_YEAR,  # noqa: F401
                              _rest_of_head, end_exchange, _incoming, _out, _left,
                              finish_server)
