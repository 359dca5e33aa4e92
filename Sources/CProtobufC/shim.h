// The runtime of libprotobuf-c (Debian libprotobuf-c-dev).
#include <protobuf-c/protobuf-c.h>
