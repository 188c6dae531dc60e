// snappy (libsnappy-dev): block compression of remote-write bodies, through its C API.
#include <snappy-c.h>
