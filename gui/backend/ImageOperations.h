// ImageOperations: the OperationSpecs over ImageService
// (manager/images/ImageService.h): build an image from Debian packages,
// import an archive, delete an image.
// Container images belong to this host's inventory, not to a libvirt
// connection: each opens the inventory at `dbPath` itself.
#pragma once

#include "OperationSpec.h"

#include "images/DebianImage.h"

namespace pidvisor::gui::ops {

// `name` empty: the archive's reference, else its file name.
[[nodiscard]] OperationSpec importImage(const QString& dbPath, const QString& file, const QString& name);
[[nodiscard]] OperationSpec createImage(const QString& dbPath, const manager::DebianImageRequest& request);
[[nodiscard]] OperationSpec deleteImage(const QString& dbPath, const QString& name);

} // namespace pidvisor::gui::ops
