// ContainerManager's image side: the overlay a container's root is made
// of, restarting a stopped container on its files, letting image disks go.
#include "ContainerManager.h"
#include "ContainerNetworking.h"

#include <set>

namespace pidvisor::agent {

Result<OverlayLayers> ContainerManager::overlayLayers(const ContainerSpec& spec)
{
    OverlayLayers layers;
    layers.lower = "/";
    if (spec.image) {
        PV_TRY(layers.lower, m_images.rootfs(*spec.image));
    }
    layers.upper = m_store.upperDir(spec.name).string();
    layers.work = m_store.workDir(spec.name).string();
    layers.staging = (m_store.containerDir(spec.name) / "layers").string();
    return layers;
}

Result<protocol::ContainerInfo> ContainerManager::start(const std::string& name)
{
    PV_TRY(auto c, find(name));
    {
        if (c->record.spec.network)
            PV_TRY_STATUS(requireBridge());
        // Another container may have taken its address while it was stopped.
        std::lock_guard lock(m_mutex);
        PV_TRY_STATUS(checkNetworkFree(c->record.spec));
    }
    {
        std::lock_guard lock(c->mutex);
        if (c->record.state == ContainerState::Running)
            return fail(ErrorCode::FailedPrecondition, "container '" + name + "' is already running");
        if (!c->record.checkpointedAs.empty())
            return fail(ErrorCode::FailedPrecondition, "container '" + name + "' was checkpointed as '" +
                                                           c->record.checkpointedAs + "': restore it instead");
        c->record.state = ContainerState::Creating; // no second start meanwhile
    }
    auto result = launch(c);
    if (!result) {
        std::lock_guard lock(c->mutex);
        c->record.state = ContainerState::Stopped;
    }
    return result;
}

void ContainerManager::releaseImages()
{
    std::set<std::string> inUse;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [name, c] : m_containers) {
            std::lock_guard clock(c->mutex);
            if (c->record.spec.image)
                inUse.insert(*c->record.spec.image);
        }
    }
    m_images.releaseUnused(inUse);
}

} // namespace pidvisor::agent
