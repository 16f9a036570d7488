// CheckpointOperations: the OperationSpecs over CheckpointService
// (manager/checkpoint/CheckpointService.h): checkpoint, restore, migrate,
// verify and delete. Checkpoint, restore and migrate can be cancelled
// (CancelFlag).
#pragma once

#include "OperationSpec.h"

namespace pidvisor::gui::ops {

[[nodiscard]] OperationSpec checkpointContainer(const QString& uri, const QString& vm, const QString& container,
                                                bool leaveRunning, const QString& tag);
// `newName` empty: the checkpoint's container name.
[[nodiscard]] OperationSpec restoreCheckpoint(const QString& uri, const QString& checkpointId, const QString& targetVm,
                                              const QString& newName);
// The result's data is the MigrationReport (downtime_ms, rounds...).
[[nodiscard]] OperationSpec migrateContainer(const QString& uri, const QString& vm, const QString& container,
                                             const QString& targetVm, bool live);
[[nodiscard]] OperationSpec verifyCheckpoint(const QString& uri, const QString& checkpointId);
[[nodiscard]] OperationSpec deleteCheckpoint(const QString& uri, const QString& checkpointId);

} // namespace pidvisor::gui::ops
