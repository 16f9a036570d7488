// ImageService: the host's container images (not the guest image of
// GuestImage.h): made from an OCI or docker archive (OciImport.h) or from
// Debian packages (DebianImage.h), packed
// into a read-only erofs volume file (ImageVolume.h), recorded in the
// inventory by name with their digest. Delivery of a volume to a VM (the
// libvirt pool, the hot-plugged disk) is vm/ImageDelivery.h's; this class
// needs no libvirt connection.
//
//   ImageService images(inventory, paths);
//   PV_TRY(ContainerImageRecord redis, images.importArchive("redis.tar", std::nullopt, progress));
//   PV_TRY(ContainerImageRecord kv, images.createFromPackages({.name = "kv", .packages = {"redis-server"}}, progress));
//   PV_TRY(ContainerImageRecord found, images.find("redis"));   // name or digest (or a unique prefix)
#pragma once

#include "DebianImage.h"
#include "ImageStaging.h"

#include "core/Paths.h"
#include "core/Progress.h"
#include "inventory/Inventory.h"
#include "inventory/InventoryRecords.h"
#include "protocol/Result.h"
#include "protocol/Types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::manager {

class ImageService {
public:
    ImageService(Inventory& inventory, Paths paths);

    // `name` defaults to the archive's tag or file name. AlreadyExists when
    // the name is taken (by another digest); the same archive imported twice
    // under its name answers the existing record.
    [[nodiscard]] Result<ContainerImageRecord> importArchive(const std::string& file,
                                                             const std::optional<std::string>& name,
                                                             const ProgressFn& progress);
    // Built from Debian packages (DebianImage.h). The same name built again
    // from packages at the same versions answers the existing record;
    // AlreadyExists when the name is another image's.
    [[nodiscard]] Result<ContainerImageRecord> createFromPackages(const DebianImageRequest& request,
                                                                  const ProgressFn& progress);
    [[nodiscard]] Result<std::vector<ContainerImageRecord>> list() const;
    // By name, full digest, or a digest prefix of at least 12 hex digits
    // that only one image has.
    [[nodiscard]] Result<ContainerImageRecord> find(const std::string& ref) const;
    // Deletes the record and the volume file. VMs that have the image keep
    // their disk (a copy in the libvirt pool) and its containers keep
    // running; bringing it to another VM then fails, naming the image.
    [[nodiscard]] Status remove(const std::string& ref);

    [[nodiscard]] std::string volumePath(const std::string& digest) const;

private:
    // Packs a finished staging directory and records it; the same name and
    // digest again answers the existing record.
    [[nodiscard]] Result<ContainerImageRecord> store(const ImageStaging& staging, const protocol::ImageInfo& info,
                                                     const ProgressFn& progress);

    Inventory& m_inventory;
    Paths m_paths;
};

} // namespace pidvisor::manager
