#include "AgentPoller.h"

#include "vm/VmService.h"

#include "protocol/Commands.h"

#include <algorithm>

namespace pidvisor::gui {

using nlohmann::json;
using namespace pidvisor::manager;
namespace cmd = protocol::cmd;

namespace {

// The agent's JSON is read defensively: a field of another type than
// expected (a newer agent) reads as absent instead of throwing.
std::string str(const json& o, const char* key)
{
    auto it = o.is_object() ? o.find(key) : o.end();
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const json& o, const char* key)
{
    auto it = o.is_object() ? o.find(key) : o.end();
    return it != o.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

json obj(const json& o, const char* key)
{
    auto it = o.is_object() ? o.find(key) : o.end();
    return it != o.end() && it->is_object() ? *it : json::object();
}

bool flag(const json& o, const char* key)
{
    auto it = o.is_object() ? o.find(key) : o.end();
    return it != o.end() && it->is_boolean() && it->get<bool>();
}

constexpr auto kConnectTimeout = std::chrono::milliseconds(1500);
const CallOptions kCall{std::chrono::seconds(10), {}, {}, {}};
} // namespace

AgentStatus AgentPoller::statusFromHello(const json& hello)
{
    AgentStatus s;
    s.state = AgentStatus::State::Connected;
    s.protocol = static_cast<int>(num(hello, "protocol"));
    s.agentVersion = str(hello, "agent_version");
    s.kernelRelease = str(hello, "kernel_release");
    s.hostname = str(hello, "hostname");
    json caps = obj(hello, "capabilities");
    s.pidSpace = str(caps, "pid_space");
    json cgroups = obj(caps, "cgroups");
    if (!cgroups.empty())
        s.cgroups = str(cgroups, "mode") + (flag(cgroups, "usable") ? "" : " (not usable)");
    s.criuVersion = str(obj(caps, "criu"), "version");
    // `checkpoint`: a bool in protocol 1's text, {"available", "reason"} from agents that probe CRIU.
    if (auto it = caps.find("checkpoint"); it != caps.end()) {
        if (it->is_boolean())
            s.checkpointCommands = it->get<bool>();
        else if (it->is_object())
            s.checkpointCommands = flag(*it, "available");
    }
    s.checkedAt = unixMillis();
    return s;
}

std::vector<ProcessInfo> AgentPoller::parseProcesses(const json& processes)
{
    std::vector<ProcessInfo> out;
    if (!processes.is_array())
        return out;
    for (const auto& p : processes)
        if (p.is_object())
            out.push_back(ProcessInfo{num(p, "vpid"), num(p, "pid"), num(p, "vppid"), str(p, "comm"),
                                      str(p, "state"), str(p, "cmdline")});
    return out;
}

void AgentPoller::poll(HostSession& session, const std::vector<VmRecord>& vms, LiveHost& live)
{
    live.busyVms = session.leases().busy();
    std::vector<const VmRecord*> running;
    for (const auto& vm : vms) {
        bool up = vm.state == "running" && !vm.missing;
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
        try {
            live.vms[vm.name] = pollVm(session, vm);
        } catch (const std::exception& e) { // JSON from the agent that was not what we expect
            live.vms[vm.name].agent.state = AgentStatus::State::Unreachable;
            live.vms[vm.name].agent.error = std::string("unexpected answer: ") + e.what();
        }
    }
    m_cursor = running.empty() ? 0 : (m_cursor + count) % running.size();
}

LiveVm AgentPoller::pollVm(HostSession& session, const VmRecord& vm)
{
    LiveVm live;
    auto lease = session.leases().acquire(vm.name, false);
    auto client = session.vms().agent(vm.name, kConnectTimeout);
    if (!client) {
        live.agent.state = AgentStatus::State::Unreachable;
        live.agent.error = client.error().message;
        live.agent.checkedAt = unixMillis();
        return live;
    }
    lease.disconnectWhenIdle(*client);
    live.agent = statusFromHello((*client)->hello());
    auto listed = (*client)->call(cmd::ContainerList, json::object(), kCall);
    if (!listed) {
        live.agent.error = listed.error().message;
        return live;
    }
    json containers = listed->result && listed->result->is_object() ? listed->result->value("containers", json())
                                                                    : json();
    if (!containers.is_array())
        containers = json::array();
    for (const auto& c : containers) {
        std::string name = str(c, "name");
        if (str(c, "state") != "running")
            continue;
        auto ps = (*client)->call(cmd::ContainerPs, {{"name", name}}, kCall);
        if (ps && ps->result && ps->result->is_object())
            live.processes[name] = parseProcesses(ps->result->value("processes", json()));
    }
    live.polled = true;
    syncContainers(session, vm, containers, live);
    return live;
}

void AgentPoller::syncContainers(HostSession& session, const VmRecord& vm, const json& containers, const LiveVm& live)
{
    std::vector<ContainerRecord> fresh;
    for (const auto& c : containers) {
        ContainerRecord r;
        r.vmId = vm.id;
        r.name = str(c, "name");
        r.state = str(c, "state");
        r.initPid = num(c, "init_pid");
        r.specJson = obj(c, "spec").dump();
        auto p = live.processes.find(r.name);
        r.processCount = p == live.processes.end() ? 0 : static_cast<std::int64_t>(p->second.size());
        fresh.push_back(std::move(r));
    }
    auto known = session.inventory().containers(vm.id);
    if (!known)
        return;
    auto same = [](const ContainerRecord& a, const ContainerRecord& b) {
        return a.name == b.name && a.state == b.state && a.initPid == b.initPid && a.specJson == b.specJson &&
               a.processCount == b.processCount;
    };
    std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    bool equal = known->size() == fresh.size() && std::equal(fresh.begin(), fresh.end(), known->begin(), same);
    if (!equal)
        (void)session.inventory().replaceContainers(vm.id, fresh);
}

} // namespace pidvisor::gui
