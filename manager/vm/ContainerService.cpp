#include "ContainerService.h"

#include "core/OperationScope.h"

#include "protocol/Commands.h"

namespace pidvisor::manager {

using nlohmann::json;
namespace cmd = protocol::cmd;

ContainerRecord containerRecordFromAgent(std::int64_t vmId, const json& c)
{
    ContainerRecord r;
    r.vmId = vmId;
    r.name = c.value("name", "");
    r.state = c.value("state", "");
    r.initPid = c.value("init_pid", 0);
    r.specJson = c.value("spec", json::object()).dump();
    r.processCount = c.value("processes", 0);
    return r;
}

Result<protocol::Response> ContainerService::call(const std::string& vm, std::string_view command, json args,
                                                  std::chrono::milliseconds timeout)
{
    PV_TRY(auto client, m_vms.agent(vm));
    auto response = client->call(command, std::move(args), CallOptions{timeout, {}, {}, {}});
    if (!response)
        return fail(response.error().withContext("VM '" + vm + "'"));
    return response;
}

Status ContainerService::remember(const std::string& vm, const json& c)
{
    PV_TRY(VmRecord rec, m_vms.record(vm));
    PV_TRY(std::int64_t id, m_vms.inventory().upsertContainer(containerRecordFromAgent(rec.id, c)));
    (void)id;
    return {};
}

Status ContainerService::forget(const std::string& vm, const std::string& name)
{
    PV_TRY(VmRecord rec, m_vms.record(vm));
    auto deleted = m_vms.inventory().deleteContainer(rec.id, name);
    if (!deleted && deleted.error().code != ErrorCode::NotFound)
        return deleted;
    return {};
}

Result<json> ContainerService::create(const std::string& vm, const json& args)
{
    OperationScope op(m_vms.inventory(), "container.create", vm + "/" + args.value("name", ""), args);
    auto result = [&]() -> Result<json> {
        PV_TRY(protocol::Response r, call(vm, cmd::ContainerCreate, args));
        PV_TRY_STATUS(remember(vm, *r.result));
        return *r.result;
    }();
    return op.finish(std::move(result));
}

Result<json> ContainerService::list(const std::string& vm)
{
    PV_TRY(protocol::Response r, call(vm, cmd::ContainerList, json::object()));
    PV_TRY(VmRecord rec, m_vms.record(vm));
    std::vector<ContainerRecord> records;
    for (const auto& c : (*r.result)["containers"])
        records.push_back(containerRecordFromAgent(rec.id, c));
    PV_TRY_STATUS(m_vms.inventory().replaceContainers(rec.id, records));
    return (*r.result)["containers"];
}

Result<json> ContainerService::info(const std::string& vm, const std::string& name)
{
    PV_TRY(protocol::Response r, call(vm, cmd::ContainerInfo, {{"name", name}}));
    return *r.result;
}

Result<json> ContainerService::processes(const std::string& vm, const std::string& name)
{
    PV_TRY(protocol::Response r, call(vm, cmd::ContainerPs, {{"name", name}}));
    return (*r.result)["processes"];
}

Result<json> ContainerService::exec(const std::string& vm, const std::string& name, const json& args)
{
    OperationScope op(m_vms.inventory(), "container.exec", vm + "/" + name, {{"argv", args.value("argv", json::array())}});
    json full = args;
    full["name"] = name;
    auto result = [&]() -> Result<json> {
        PV_TRY(protocol::Response r, call(vm, cmd::ContainerExec, full, std::chrono::hours(24)));
        return *r.result;
    }();
    return op.finish(std::move(result));
}

Result<std::string> ContainerService::logs(const std::string& vm, const std::string& name, std::int64_t tailBytes)
{
    json args{{"name", name}};
    if (tailBytes > 0)
        args["tail_bytes"] = tailBytes;
    PV_TRY(protocol::Response r, call(vm, cmd::ContainerLogs, args));
    return r.payload;
}

Result<json> ContainerService::kill(const std::string& vm, const std::string& name, const json& signal, bool all)
{
    OperationScope op(m_vms.inventory(), "container.kill", vm + "/" + name, {{"signal", signal}, {"all", all}});
    auto result = [&]() -> Result<json> {
        PV_TRY(protocol::Response r, call(vm, cmd::ContainerKill, {{"name", name}, {"signal", signal}, {"all", all}}));
        return *r.result;
    }();
    return op.finish(std::move(result));
}

Result<json> ContainerService::stop(const std::string& vm, const std::string& name, std::int64_t timeoutMs)
{
    OperationScope op(m_vms.inventory(), "container.stop", vm + "/" + name);
    auto result = [&]() -> Result<json> {
        PV_TRY(protocol::Response r, call(vm, cmd::ContainerStop, {{"name", name}, {"timeout_ms", timeoutMs}},
                                          std::chrono::milliseconds(timeoutMs) + std::chrono::seconds(30)));
        PV_TRY_STATUS(remember(vm, *r.result));
        return *r.result;
    }();
    return op.finish(std::move(result));
}

Status ContainerService::remove(const std::string& vm, const std::string& name, bool force)
{
    OperationScope op(m_vms.inventory(), "container.rm", vm + "/" + name, {{"force", force}});
    auto result = [&]() -> Status {
        PV_TRY(protocol::Response r, call(vm, cmd::ContainerRm, {{"name", name}, {"force", force}}));
        return forget(vm, name);
    }();
    return op.finish(std::move(result));
}

Result<json> ContainerService::guestExec(const std::string& vm, const json& args)
{
    OperationScope op(m_vms.inventory(), "vm.exec", vm, {{"argv", args.value("argv", json::array())}});
    auto result = [&]() -> Result<json> {
        PV_TRY(protocol::Response r, call(vm, cmd::GuestExec, args, std::chrono::hours(24)));
        return *r.result;
    }();
    return op.finish(std::move(result));
}

} // namespace pidvisor::manager
