#include "CheckpointTransfer.h"

#include "protocol/CheckpointReceiver.h"

#include <chrono>
#include <mutex>

namespace pidvisor::manager {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string formatBytes(std::uint64_t bytes)
{
    char buf[32];
    if (bytes >= (1ULL << 30))
        std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1ULL << 30));
    else if (bytes >= (1ULL << 20))
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1ULL << 20));
    else
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
    return buf;
}

Result<TransferStats> pullCheckpoint(AgentClient& agent, const std::string& id, const std::string& dir,
                                     const std::vector<protocol::CheckpointFile>& files, bool all,
                                     const ProgressFn& progress)
{
    auto started = Clock::now();
    // What a guest sends is hostile until proven otherwise: the receiver
    // writes nothing outside `dir` and moves files in only once they matched.
    PV_TRY(auto receiver, protocol::CheckpointReceiver::open(dir, files));
    std::optional<Error> broken;
    std::mutex mutex;
    protocol::CheckpointReadArgs args{id, {}};
    if (!all)
        for (const auto& f : files)
            args.paths.push_back(f.path);
    CallOptions options;
    options.timeout = std::chrono::minutes(60);
    options.onData = [&](const protocol::Frame& frame) {
        std::lock_guard lock(mutex);
        if (broken)
            return;
        if (auto ok = receiver->accept(frame); !ok)
            broken = ok.error();
        report(progress, "transferring the checkpoint",
               receiver->totalBytes() ? static_cast<int>(receiver->bytes() * 100 / receiver->totalBytes()) : -1,
               formatBytes(receiver->bytes()) + " of " + formatBytes(receiver->totalBytes()));
    };
    auto response = agent.checkpointRead(args, options);
    std::lock_guard lock(mutex);
    if (broken)
        return fail(*broken);
    if (!response)
        return fail(response.error().withContext("transferring checkpoint '" + id + "'"));
    if (!receiver->complete())
        return fail(ErrorCode::Internal, "transfer of checkpoint '" + id + "' ended before every file arrived");
    return TransferStats{receiver->bytes(), millisSince(started)};
}

Result<TransferStats> pushCheckpoint(AgentClient& agent, const std::string& id, const std::string& dir,
                                     const json& manifest, const std::vector<protocol::CheckpointFile>& only, bool final,
                                     const ProgressFn& progress)
{
    auto started = Clock::now();
    PV_TRY(auto all, protocol::filesFromManifest(manifest));
    const auto& files = only.empty() ? all : only;
    protocol::CheckpointWriteArgs args{id, manifest, {}, final};
    for (const auto& f : files)
        args.files.push_back(f.path);
    CallOptions options;
    options.timeout = std::chrono::minutes(60);
    options.onProgress = [&](const protocol::Progress& p) {
        report(progress, "uploading the checkpoint", p.total ? static_cast<int>(p.done * 100 / p.total) : -1,
               formatBytes(p.done) + " of " + formatBytes(p.total) + " checked in");
    };
    if (!final)
        args.manifest["files"] = protocol::filesToJson(files);
    auto upload = [&](std::uint64_t request) {
        return protocol::sendCheckpointFiles(dir, files, [&](json header, std::string_view payload) {
            header["kind"] = "data";
            header["id"] = request;
            return agent.send(protocol::Frame{std::move(header), std::string(payload)});
        });
    };
    // The agent answers either way; its answer says which file was bad.
    auto written = agent.checkpointWrite(args, upload, options);
    if (!written)
        return fail(written.error().withContext("uploading checkpoint '" + id + "'"));
    return TransferStats{protocol::totalSize(files), millisSince(started)};
}

} // namespace pidvisor::manager
