// libnats (Debian `libnats-dev`, the NATS C client) for Swift.
//
// Everything the wrapper needs imports as is: option structs are plain C structs whose fields
// Swift sets, and callbacks are C function pointers that Swift closures without captures
// become (their context travels in the `closure` pointer). So there are no helpers here.
#ifndef GATEWAY_CNATS_SHIM_H
#define GATEWAY_CNATS_SHIM_H

#include <nats/nats.h>

#endif
