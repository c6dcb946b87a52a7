# MicroPython unix port platform glue for mhttp (see ports/README.md).
