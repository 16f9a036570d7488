#include "CheckpointJson.h"

#include <algorithm>
#include <set>

namespace pidvisor::manager {

using nlohmann::json;

namespace {

// `key` of `object` as a non-negative integer; `fallback` when absent.
Result<std::int64_t> count(const json& object, const char* key, std::int64_t fallback, const std::string& where)
{
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
        return fail(ErrorCode::InvalidArgument, where + ": \"" + key + "\" is not a non-negative integer");
    return it->get<std::int64_t>();
}

Result<CheckpointProcess> processFromJson(const json& entry, std::size_t index)
{
    std::string where = "pid_map entry " + std::to_string(index);
    if (!entry.is_object())
        return fail(ErrorCode::InvalidArgument, where + " is not an object");
    CheckpointProcess p;
    PV_TRY(p.virtualPid, count(entry, "vpid", 0, where));
    if (p.virtualPid <= 0)
        return fail(ErrorCode::InvalidArgument, where + " has no positive \"vpid\"");
    PV_TRY(p.virtualParentPid, count(entry, "vppid", 0, where));
    PV_TRY(p.processGroup, count(entry, "pgid", 0, where));
    PV_TRY(p.session, count(entry, "sid", 0, where));
    PV_TRY(p.threads, count(entry, "threads", 0, where));
    PV_TRY(p.vmPid, count(entry, "pid", 0, where));
    if (auto comm = entry.find("comm"); comm != entry.end() && !comm->is_null()) {
        if (!comm->is_string())
            return fail(ErrorCode::InvalidArgument, where + ": \"comm\" is not a string");
        p.command = comm->get<std::string>();
    }
    return p;
}

} // namespace

Result<std::vector<CheckpointProcess>> processesFromManifest(const json& manifest)
{
    std::vector<CheckpointProcess> processes;
    auto map = manifest.find("pid_map");
    if (map == manifest.end() || map->is_null())
        return processes;
    if (!map->is_array())
        return fail(ErrorCode::InvalidArgument, "the manifest's pid_map is not an array");
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < map->size(); ++i) {
        PV_TRY(CheckpointProcess p, processFromJson((*map)[i], i));
        if (!seen.insert(p.virtualPid).second)
            return fail(ErrorCode::InvalidArgument,
                        "the manifest's pid_map lists virtual pid " + std::to_string(p.virtualPid) + " twice");
        processes.push_back(std::move(p));
    }
    std::sort(processes.begin(), processes.end(),
              [](const auto& a, const auto& b) { return a.virtualPid < b.virtualPid; });
    return processes;
}

Result<CheckpointDurations> durationsFromManifest(const json& manifest)
{
    CheckpointDurations d;
    if (auto ms = manifest.find("durations_ms"); ms != manifest.end() && !ms->is_null()) {
        if (!ms->is_object())
            return fail(ErrorCode::InvalidArgument, "the manifest's durations_ms is not an object");
        std::string where = "the manifest's durations_ms";
        if (ms->contains("dump")) {
            PV_TRY(d.dumpMs, count(*ms, "dump", 0, where));
        }
        if (ms->contains("hash")) {
            PV_TRY(d.hashMs, count(*ms, "hash", 0, where));
        }
    }
    if (auto stats = manifest.find("criu_stats"); stats != manifest.end() && !stats->is_null()) {
        if (!stats->is_object())
            return fail(ErrorCode::InvalidArgument, "the manifest's criu_stats is not an object");
        for (auto it = stats->begin(); it != stats->end(); ++it) {
            if (!it->is_number_integer() || it.key().empty())
                return fail(ErrorCode::InvalidArgument,
                            "the manifest's criu_stats \"" + it.key() + "\" is not an integer");
            d.criu.push_back({it.key(), it->get<std::int64_t>()});
        }
        // nlohmann's object is ordered by key already; the inventory's
        // order is by name too, so a round trip compares equal.
        std::sort(d.criu.begin(), d.criu.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    return d;
}

json processesToJson(const std::vector<CheckpointProcess>& processes)
{
    json map = json::array();
    for (const CheckpointProcess& p : processes)
        map.push_back({{"vpid", p.virtualPid},
                       {"vppid", p.virtualParentPid},
                       {"pgid", p.processGroup},
                       {"sid", p.session},
                       {"threads", p.threads},
                       {"pid", p.vmPid},
                       {"comm", p.command}});
    return map;
}

json durationsToJson(const CheckpointDurations& d)
{
    json out = json::object();
    auto put = [&](const char* key, const std::optional<std::int64_t>& value) {
        if (value)
            out[key] = *value;
    };
    put("dump", d.dumpMs);
    put("hash", d.hashMs);
    put("transfer_ms", d.transferMs);
    put("transfer_bytes", d.transferBytes);
    put("total_ms", d.totalMs);
    json criu = json::object();
    for (const CriuStat& s : d.criu)
        criu[s.name] = s.value;
    out["criu"] = criu;
    return out;
}

} // namespace pidvisor::manager
