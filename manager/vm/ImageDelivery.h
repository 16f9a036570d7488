// ImageDelivery: a container image's erofs volume brought to a VM. The
// volume goes into the libvirt storage pool (uploaded through libvirt, so a
// remote host works as for the guest image) and is attached to the domain
// as a read-only disk on its virtio-scsi controller: hot-plugged when the
// VM runs, and kept in the definition so it is there after a restart.
// Detached again when no container of the VM uses it.
#pragma once

#include "DomainXml.h"

#include "core/Progress.h"
#include "libvirt/Connection.h"
#include "protocol/Result.h"

#include <string>
#include <vector>

namespace pidvisor::manager {

struct ContainerImageRecord;
class AgentClient;
class VmService;

class ImageDelivery {
public:
    explicit ImageDelivery(Connection& connection) : m_conn(connection) {}

    // The disk that holds `image` on `dom`, attached now if it is not yet.
    [[nodiscard]] Result<ImageDisk> attach(virDomainPtr dom, const ContainerImageRecord& image,
                                           const ProgressFn& progress);
    // Detaches an image disk (live and config).
    [[nodiscard]] Status detach(virDomainPtr dom, const ImageDisk& disk);
    // Image disks of the domain's live definition, else its config.
    [[nodiscard]] Result<std::vector<ImageDisk>> attached(virDomainPtr dom) const;

    // The pool volume name of an image: "ctimage-<hex>.erofs".
    [[nodiscard]] static std::string volumeName(const std::string& digest);

private:
    Connection& m_conn;
};

// Makes VM `vm` have the image `digest` (a record of this host's
// inventory): attached to the domain, then seen by its agent (`agent`, a
// client of that VM's). NotFound says the host lacks the image.
[[nodiscard]] Status provideImage(VmService& vms, AgentClient& agent, const std::string& vm, const std::string& digest,
                                  const ProgressFn& progress);
// Detaches the image disks of `vm` that none of its containers use.
[[nodiscard]] Status releaseUnusedImages(VmService& vms, AgentClient& agent, const std::string& vm);

} // namespace pidvisor::manager
