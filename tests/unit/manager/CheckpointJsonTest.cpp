// CheckpointJson: the agent's manifest becomes a typed checkpoint record
// (refusing what it cannot read, naming it), and the record prints as the
// CLI's JSON always did.
#include "checkpoint/CheckpointJson.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::manager;
using nlohmann::json;

namespace {

// As CheckpointManager writes it (in pstree order, not sorted).
json agentManifest()
{
    return json::parse(R"({
        "id": "c1", "kind": "dump",
        "pid_map": [
            {"vpid": 7, "vppid": 1, "pgid": 1, "sid": 1, "threads": 3, "pid": 4250, "comm": "worker"},
            {"vpid": 1, "vppid": 0, "pgid": 1, "sid": 1, "threads": 1, "pid": 4242, "comm": "sh"}
        ],
        "criu_stats": {"pages_written": 12, "frozen_time_us": 900},
        "durations_ms": {"dump": 120, "hash": 4}
    })");
}

std::string refusal(const json& manifest)
{
    auto processes = processesFromManifest(manifest);
    if (!processes)
        return std::string(errorCodeName(processes.error().code)) + ": " + processes.error().message;
    auto durations = durationsFromManifest(manifest);
    if (!durations)
        return std::string(errorCodeName(durations.error().code)) + ": " + durations.error().message;
    return "accepted";
}

} // namespace

TEST(CheckpointJson, TheAgentsManifestBecomesTypedFields)
{
    auto processes = processesFromManifest(agentManifest());
    ASSERT_TRUE(processes) << processes.error().message;
    EXPECT_EQ(*processes, (std::vector<CheckpointProcess>{{1, 0, 1, 1, 1, 4242, "sh"}, {7, 1, 1, 1, 3, 4250, "worker"}}));
    auto durations = durationsFromManifest(agentManifest());
    ASSERT_TRUE(durations) << durations.error().message;
    EXPECT_EQ(durations->dumpMs, 120);
    EXPECT_EQ(durations->hashMs, 4);
    EXPECT_EQ(durations->transferMs, std::nullopt); // the host's to fill
    EXPECT_EQ(durations->criu, (std::vector<CriuStat>{{"frozen_time_us", 900}, {"pages_written", 12}}));
}

TEST(CheckpointJson, APreDumpManifestHasNoProcessesAndNothingMeasured)
{
    json preDump{{"id", "c1"}, {"kind", "pre-dump"}};
    EXPECT_TRUE(processesFromManifest(preDump)->empty());
    EXPECT_EQ(*durationsFromManifest(preDump), CheckpointDurations{});
}

TEST(CheckpointJson, UnreadableManifestsAreRefusedByName)
{
    auto with = [](const char* key, json value) {
        json m = agentManifest();
        m[key] = std::move(value);
        return m;
    };
    json entry = agentManifest()["pid_map"][0];
    auto entryWith = [&](const char* key, json value) {
        json e = entry;
        e[key] = std::move(value);
        return with("pid_map", json::array({e}));
    };
    EXPECT_EQ(refusal(with("pid_map", json::object())), "invalid_argument: the manifest's pid_map is not an array");
    EXPECT_EQ(refusal(with("pid_map", json::array({5}))), "invalid_argument: pid_map entry 0 is not an object");
    EXPECT_EQ(refusal(entryWith("vpid", 0)), "invalid_argument: pid_map entry 0 has no positive \"vpid\"");
    EXPECT_EQ(refusal(entryWith("vpid", "7")),
              "invalid_argument: pid_map entry 0: \"vpid\" is not a non-negative integer");
    EXPECT_EQ(refusal(entryWith("pid", -1)),
              "invalid_argument: pid_map entry 0: \"pid\" is not a non-negative integer");
    EXPECT_EQ(refusal(entryWith("comm", 3)), "invalid_argument: pid_map entry 0: \"comm\" is not a string");
    EXPECT_EQ(refusal(with("pid_map", json::array({entry, entry}))),
              "invalid_argument: the manifest's pid_map lists virtual pid 7 twice");
    EXPECT_EQ(refusal(with("durations_ms", json::array())),
              "invalid_argument: the manifest's durations_ms is not an object");
    EXPECT_EQ(refusal(with("durations_ms", {{"dump", "slow"}})),
              "invalid_argument: the manifest's durations_ms: \"dump\" is not a non-negative integer");
    EXPECT_EQ(refusal(with("criu_stats", {{"pages_written", 1.5}})),
              "invalid_argument: the manifest's criu_stats \"pages_written\" is not an integer");
    EXPECT_EQ(refusal(agentManifest()), "accepted");
}

TEST(CheckpointJson, TheRecordPrintsAsTheCliAlwaysDid)
{
    CheckpointDurations d;
    d.dumpMs = 120;
    d.hashMs = 4;
    d.transferMs = 30;
    d.transferBytes = 8192;
    d.totalMs = 170;
    d.criu = {{"frozen_time_us", 900}};
    EXPECT_EQ(durationsToJson(d), json::parse(R"({"dump":120,"hash":4,"transfer_ms":30,"transfer_bytes":8192,
                                                  "total_ms":170,"criu":{"frozen_time_us":900}})"));
    // A migration measured no total: the key is absent, not 0.
    d.totalMs.reset();
    d.transferBytes.reset();
    EXPECT_FALSE(durationsToJson(d).contains("total_ms"));

    auto processes = *processesFromManifest(agentManifest());
    json printed = processesToJson(processes);
    EXPECT_EQ(printed[0], json::parse(R"({"vpid":1,"vppid":0,"pgid":1,"sid":1,"threads":1,"pid":4242,"comm":"sh"})"));
    EXPECT_EQ(*processesFromManifest(json{{"pid_map", printed}}), processes);
}
