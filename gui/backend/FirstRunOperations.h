// FirstRunOperations: what the first-run page asks of the backend. The
// report of the system checks (manager::SystemReport plus the container
// image the inventory already knows, if any), made on the backend thread
// by Backend::checkSystem(), and the OperationSpecs of the first run: the
// container kernel and guest image built (or found in the cache) exactly
// as `pidvisor guest-image build --kernel container` does, and a first VM with a
// first container in it, made with the same operations as the New VM and
// New Container dialogs.
#pragma once

#include "OperationSpec.h"

#include "host/SystemCheck.h"
#include "inventory/InventoryRecords.h"

#include <QMetaType>

#include <optional>

namespace pidvisor::gui {

struct FirstRunReport {
    manager::SystemReport system;
    std::optional<manager::ImageRecord> image; // a container image already built and recorded
};

namespace ops {

// Not tied to a connection: opens the inventory at `dbPath` itself.
[[nodiscard]] OperationSpec buildFirstImage(const QString& dbPath);

// The defaults of the first run's VM and container.
[[nodiscard]] manager::VmCreateOptions firstVmOptions(const QString& name);
[[nodiscard]] protocol::ContainerSpec firstContainerSpec();

} // namespace ops
} // namespace pidvisor::gui

Q_DECLARE_METATYPE(pidvisor::gui::FirstRunReport)
