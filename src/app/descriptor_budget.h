// File: descriptor_budget.h
// How many client connections the process can hold (issue 12): its file-descriptor limit,
// minus the descriptors it holds before serving (the database's files or PostgreSQL
// connections, the signing keys, stdio, the log) and a reserve for what it opens while
// serving (SMTP connections, DNS lookups, PostgreSQL reconnects, listeners, timers).
#pragma once

#include <cstddef>

namespace tessera::app {

// Raises the soft RLIMIT_NOFILE to the hard limit (as nginx's worker_rlimit_nofile and Go's
// runtime do): the soft default of 1024 is a relic of select(), which Tessera does not use.
// Returns the soft limit now in force.
size_t RaiseDescriptorLimit();

// Descriptors open in this process now (/proc/self/fd); 0 when that cannot be read.
size_t OpenDescriptors();

// The default --max-connections for a descriptor limit with `in_use` already taken.
size_t DefaultMaxConnections(size_t limit, size_t in_use);

}  // namespace tessera::app
