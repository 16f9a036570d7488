// ContainerService: containers inside a VM, through the VM's agent, with
// the inventory's copy of each VM's container list kept current and every
// change in the audit log. The inventory learns containers only through
// ContainerSync (after a list, a create, a stop or a removal). Arguments and results are the agent protocol's
// records (guestagent/protocol/Types.h); this class adds the VM, the
// bookkeeping and the errors' context.
#pragma once

#include "ContainerSync.h"
#include "VmService.h"

#include "protocol/Types.h"

namespace pidvisor::manager {

// How a new container joins its VM's network (ContainerAddresses.h). A VM
// without a network gives its containers loopback only either way.
struct NetworkChoice {
    bool none = false;   // loopback only
    std::string address; // "": the next free one on the VM's network
};

class ContainerService {
public:
    explicit ContainerService(VmService& vms) : m_vms(vms) {}

    // spec.network is the manager's to fill: from `network`.
    [[nodiscard]] Result<protocol::ContainerInfo> create(const std::string& vm, protocol::ContainerSpec spec,
                                                         const NetworkChoice& network = {});
    // A container whose root is image `imageRef`'s (name or digest of this
    // host's images): the image brought to the VM (hot-plugged when it does
    // not have it), its config applied to `spec` (protocol::applyImage;
    // `command` replaces its Cmd when not empty), then created.
    [[nodiscard]] Result<protocol::ContainerInfo> createFromImage(const std::string& vm, protocol::ContainerSpec spec,
                                                                  const std::string& imageRef,
                                                                  const std::vector<std::string>& command,
                                                                  bool cwdGiven, const ProgressFn& progress,
                                                                  const NetworkChoice& network = {});
    // Runs a stopped container again on its files.
    [[nodiscard]] Result<protocol::ContainerInfo> start(const std::string& vm, const std::string& name);
    [[nodiscard]] Result<std::vector<protocol::ContainerInfo>> list(const std::string& vm);
    [[nodiscard]] Result<protocol::ContainerInfo> info(const std::string& vm, const std::string& name);
    [[nodiscard]] Result<std::vector<protocol::Process>> processes(const std::string& vm, const std::string& name);
    // `command.name` is ignored: `name` is the container.
    [[nodiscard]] Result<protocol::CommandResult> exec(const std::string& vm, const std::string& name,
                                                       const protocol::GuestExecArgs& command);
    [[nodiscard]] Result<std::string> logs(const std::string& vm, const std::string& name, std::int64_t tailBytes);
    [[nodiscard]] Result<protocol::ContainerKillResult> kill(const std::string& vm, const std::string& name,
                                                             protocol::Signal signal, bool all);
    [[nodiscard]] Result<protocol::ContainerInfo> stop(const std::string& vm, const std::string& name,
                                                       std::int64_t timeoutMs);
    [[nodiscard]] Status remove(const std::string& vm, const std::string& name, bool force);
    // A command in the VM itself, outside containers.
    [[nodiscard]] Result<protocol::CommandResult> guestExec(const std::string& vm, const protocol::GuestExecArgs& command);

private:
    // The VM's agent, or why it cannot be reached; `call` gets it and adds
    // the VM to a failure. `refreshAfter`: a change, after which the
    // inventory's rows are brought up to date.
    template <class Call>
    [[nodiscard]] auto ask(const std::string& vm, const Call& call, bool refreshAfter = false)
        -> decltype(call(std::declval<AgentClient&>()));
    // Creates the container with its address (allocated first, released
    // again when the agent refuses).
    [[nodiscard]] Result<protocol::ContainerInfo> createWithAddress(const std::string& vm, protocol::ContainerSpec spec,
                                                                    const NetworkChoice& network);
    // The VM's container rows brought up to date after a change.
    [[nodiscard]] Result<ContainerListing> refresh(const std::string& vm, AgentClient& agent);

    VmService& m_vms;
};

} // namespace pidvisor::manager
