// zlib, the system's (zlib1g-dev on Debian, a dependency of the Swift toolchain itself): the front
// door precompresses kept pages with it (Sources/App/FrontDoor/FrontDoorGzip.swift).
#include <zlib.h>
