// ContainerService: containers inside a VM, through the VM's agent, with
// the inventory's copy of each VM's container list kept current and every
// change in the audit log. Arguments and results are the agent protocol's
// (guestagent/protocol/PROTOCOL.md); this class adds the VM, the
// bookkeeping and the errors' context.
#pragma once

#include "VmService.h"

namespace pidvisor::manager {

// The inventory's row for a container object of the agent (PROTOCOL.md).
[[nodiscard]] ContainerRecord containerRecordFromAgent(std::int64_t vmId, const nlohmann::json& container);

class ContainerService {
public:
    explicit ContainerService(VmService& vms) : m_vms(vms) {}

    [[nodiscard]] Result<nlohmann::json> create(const std::string& vm, const nlohmann::json& args);
    [[nodiscard]] Result<nlohmann::json> list(const std::string& vm);
    [[nodiscard]] Result<nlohmann::json> info(const std::string& vm, const std::string& name);
    [[nodiscard]] Result<nlohmann::json> processes(const std::string& vm, const std::string& name);
    [[nodiscard]] Result<nlohmann::json> exec(const std::string& vm, const std::string& name, const nlohmann::json& args);
    [[nodiscard]] Result<std::string> logs(const std::string& vm, const std::string& name, std::int64_t tailBytes);
    [[nodiscard]] Result<nlohmann::json> kill(const std::string& vm, const std::string& name, const nlohmann::json& signal,
                                              bool all);
    [[nodiscard]] Result<nlohmann::json> stop(const std::string& vm, const std::string& name, std::int64_t timeoutMs);
    [[nodiscard]] Status remove(const std::string& vm, const std::string& name, bool force);
    // A command in the VM itself, outside containers.
    [[nodiscard]] Result<nlohmann::json> guestExec(const std::string& vm, const nlohmann::json& args);

private:
    [[nodiscard]] Result<protocol::Response> call(const std::string& vm, std::string_view cmd, nlohmann::json args,
                                                  std::chrono::milliseconds timeout = std::chrono::seconds(120));
    [[nodiscard]] Status remember(const std::string& vm, const nlohmann::json& container);
    [[nodiscard]] Status forget(const std::string& vm, const std::string& name);

    VmService& m_vms;
};

} // namespace pidvisor::manager
