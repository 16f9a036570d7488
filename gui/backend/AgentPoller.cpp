#include "AgentPoller.h"

#include "core/States.h"

#include <algorithm>

namespace pidvisor::gui {

using namespace pidvisor::manager;

namespace {
constexpr auto kConnectTimeout = std::chrono::milliseconds(1500);
} // namespace

AgentStatus AgentPoller::statusFromHello(const protocol::HelloResult& hello)
{
    AgentStatus s;
    s.state = AgentStatus::State::Connected;
    s.protocol = static_cast<int>(hello.protocol);
    s.agentVersion = hello.agentVersion;
    s.kernelRelease = hello.kernelRelease;
    s.hostname = hello.hostname;
    const protocol::Capabilities& caps = hello.capabilities;
    s.pidSpace = caps.pidSpace;
    if (!caps.cgroups.mode.empty())
        s.cgroups = caps.cgroups.mode + (caps.cgroups.usable ? "" : " (not usable)");
    s.criuVersion = caps.criu ? caps.criu->version : std::string();
    s.checkpointCommands = caps.checkpoint.available.value_or(false);
    s.checkedAt = unixMillis();
    return s;
}

std::vector<ProcessInfo> AgentPoller::processInfos(const std::vector<protocol::Process>& processes)
{
    std::vector<ProcessInfo> out;
    out.reserve(processes.size());
    for (const auto& p : processes)
        out.push_back(ProcessInfo{p.vpid, p.pid, p.vppid, p.comm, p.state, p.cmdline});
    return out;
}

void AgentPoller::poll(Host& host, const std::vector<VmRecord>& vms, LiveHost& live)
{
    live.busyVms = host.leases().busy();
    std::vector<const VmRecord*> running;
    for (const auto& vm : vms) {
        bool up = vm.state == VmState::Running && !vm.missing;
        if (!up) {
            live.vms.erase(vm.name);
        } else if (live.busyVms.count(vm.name)) {
            live.vms[vm.name].agent.state = AgentStatus::State::Busy;
        } else {
            running.push_back(&vm);
        }
    }
    std::size_t count = std::min(m_budget, running.size());
    for (std::size_t i = 0; i < count; ++i) {
        const VmRecord& vm = *running[(m_cursor + i) % running.size()];
        live.vms[vm.name] = pollVm(host, vm);
    }
    m_cursor = running.empty() ? 0 : (m_cursor + count) % running.size();
}

LiveVm AgentPoller::pollVm(Host& host, const VmRecord& vm)
{
    LiveVm live;
    // The NIC and its lease come from libvirt, not the agent.
    if (auto net = host.vms().network(vm.name))
        live.network = *net;
    auto poll = host.pollAgent(vm.name, kConnectTimeout);
    if (!poll) {
        live.agent.state = AgentStatus::State::Unreachable;
        live.agent.error = poll.error().message;
        live.agent.checkedAt = unixMillis();
        return live;
    }
    live.agent = statusFromHello(poll->hello);
    if (!poll->listing) {
        live.agent.error = poll->listing.error().message;
        return live;
    }
    for (const auto& [name, processes] : poll->listing->processes)
        live.processes[name] = processInfos(processes);
    live.polled = true;
    return live;
}

} // namespace pidvisor::gui
