// The C API of libsnappy (Debian libsnappy-dev).
#include <snappy-c.h>
