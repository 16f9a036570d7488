// VmOperations: the OperationSpecs for VMs and containers, each a thin
// call into VmService or ContainerService (the same calls the CLI makes),
// with a one-phrase summary of the result for the operations panel.
#pragma once

#include "OperationSpec.h"

#include "vm/VmService.h"

namespace pidvisor::gui::ops {

[[nodiscard]] OperationSpec createVm(const QString& uri, const manager::VmCreateOptions& options);
[[nodiscard]] OperationSpec startVm(const QString& uri, const QString& vm, const QString& consoleLog);
[[nodiscard]] OperationSpec stopVm(const QString& uri, const QString& vm);
[[nodiscard]] OperationSpec destroyVm(const QString& uri, const QString& vm);
[[nodiscard]] OperationSpec deleteVm(const QString& uri, const QString& vm, bool force);

// `args`: container-create's arguments (PROTOCOL.md).
[[nodiscard]] OperationSpec createContainer(const QString& uri, const QString& vm,
                                            const protocol::ContainerSpec& container,
                                            const manager::NetworkChoice& network = {});
// The image's command, user and directory unless the spec gives them
// (ContainerService::createFromImage: the image's disk comes first).
[[nodiscard]] OperationSpec createContainerFromImage(const QString& uri, const QString& vm,
                                                     const protocol::ContainerSpec& container, const QString& image,
                                                     const manager::NetworkChoice& network = {});
// The result's data is the command result (exit_code, stdout, stderr...).
[[nodiscard]] OperationSpec execInContainer(const QString& uri, const QString& vm, const QString& container,
                                            const QStringList& argv);
[[nodiscard]] OperationSpec stopContainer(const QString& uri, const QString& vm, const QString& container);
[[nodiscard]] OperationSpec killContainer(const QString& uri, const QString& vm, const QString& container,
                                          const QString& signal, bool all);
[[nodiscard]] OperationSpec deleteContainer(const QString& uri, const QString& vm, const QString& container,
                                            bool force);

} // namespace pidvisor::gui::ops
