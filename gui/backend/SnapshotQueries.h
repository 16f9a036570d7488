// SnapshotQueries: finding a host, VM, container, process or checkpoint in
// a snapshot by the names people see (uri, VM name, container name, vpid).
// The details pane, the actions and the tests look things up this way.
#pragma once

#include "Snapshot.h"

namespace pidvisor::gui {

[[nodiscard]] const HostInfo* findHost(const InventorySnapshot& s, const std::string& uri);
[[nodiscard]] const VmInfo* findVm(const InventorySnapshot& s, const std::string& uri, const std::string& vm);
[[nodiscard]] const ContainerInfo* findContainer(const InventorySnapshot& s, const std::string& uri,
                                                 const std::string& vm, const std::string& container);
[[nodiscard]] const ProcessInfo* findProcess(const ContainerInfo& container, std::int64_t vpid);
[[nodiscard]] const manager::CheckpointRecord* findCheckpoint(const InventorySnapshot& s, const std::string& id);
// The host a VM (by inventory id) belongs to, for checkpoints that name their VM by id.
[[nodiscard]] const HostInfo* findHostOfVm(const InventorySnapshot& s, std::int64_t vmId);

} // namespace pidvisor::gui
