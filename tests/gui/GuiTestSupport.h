// GuiTestSupport: data for the GUI's tests and benchmark: synthetic
// snapshots of any size (with processes, as the agents would report them),
// and a real inventory file filled through the Inventory API (hosts, VMs,
// containers, checkpoints) for the screenshot.
#pragma once

#include "backend/Snapshot.h"

#include "inventory/Inventory.h"

#include <QString>

namespace pidvisor::gui::test {

struct SyntheticShape {
    int hosts = 1;
    int vms = 3;
    int containersPerVm = 2;
    int processesPerContainer = 3; // for the first `vmsWithProcesses` VMs
    int vmsWithProcesses = 3;
    int checkpoints = 4;
};

// Names: host uri "qemu+test://host<h>/system", VM "vm<v>", container
// "ct<c>"; process vpid 1.. with global pid 1000 * (v + 1) + vpid.
[[nodiscard]] std::shared_ptr<InventorySnapshot> makeSnapshot(const SyntheticShape& shape);

// A copy with one VM's state changed (to exercise dataChanged).
[[nodiscard]] std::shared_ptr<InventorySnapshot> withVmState(const InventorySnapshot& s, int host, int vm,
                                                             manager::VmState state);

// Fills `inventory` with a small lab: two hosts, five VMs, containers and a
// history of checkpoints.
void fillLab(manager::Inventory& inventory);

// A fresh directory under the build tree (removed by the caller when wanted).
[[nodiscard]] QString scratchDir(const QString& name);

} // namespace pidvisor::gui::test
