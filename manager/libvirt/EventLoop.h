// EventLoop: libvirt's default event loop, registered once per process
// before the first connection and run on its own thread, so domain events,
// keepalives and stream callbacks arrive without anyone polling.
#pragma once

namespace pidvisor::manager {

// Idempotent and thread-safe.
void ensureLibvirtEventLoop();

} // namespace pidvisor::manager
