#include "EventLoop.h"

#include "LibvirtHandles.h"

#include <mutex>
#include <thread>

namespace pidvisor::manager {

void ensureLibvirtEventLoop()
{
    static std::once_flag once;
    std::call_once(once, [] {
        silenceLibvirtErrors();
        virInitialize();
        virEventRegisterDefaultImpl();
        // Runs for the life of the process; libvirt has no clean way to
        // stop the default loop, and connections may outlive main's scope.
        std::thread([] {
            for (;;)
                virEventRunDefaultImpl();
        }).detach();
    });
}

} // namespace pidvisor::manager
