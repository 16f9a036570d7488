// CheckpointManager: listing, deleting, streaming checkpoints to the host
// and receiving them from it, and ending a checkpointed container.
#include "CheckpointManager.h"

#include "protocol/BeneathDir.h"
#include "protocol/CheckpointFiles.h"
#include "protocol/CheckpointReceiver.h"
#include "protocol/Names.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace pidvisor::agent {

namespace fs = std::filesystem;
using nlohmann::json;

Result<json> CheckpointManager::list() const
{
    json out = json::array();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(m_root, ec)) {
        std::string id = e.path().filename().string();
        if (id.find(".partial") != std::string::npos)
            continue;
        auto m = readManifest(id);
        json entry{{"id", id}, {"complete", static_cast<bool>(m)}};
        if (m)
            entry.update({{"container", (*m)["container"]}, {"created_at", (*m)["created_at"]},
                          {"size", (*m)["size"]}, {"sha256", (*m)["sha256"]}});
        out.push_back(entry);
    }
    return out;
}

Status CheckpointManager::remove(const std::string& id)
{
    PV_TRY_STATUS(protocol::validateName("checkpoint id", id));
    std::string partial = directory(id) + ".partial";
    if (!fs::exists(directory(id)) && !fs::exists(partial))
        return fail(ErrorCode::NotFound, "no checkpoint '" + id + "' in this VM");
    m_memo.forget(id);
    // Without following anything the checkpoint holds (CRIU's images/parent
    // is a symlink, and a received checkpoint holds whatever was sent).
    PV_TRY(auto root, protocol::BeneathDir::open(m_root));
    for (const auto& d : {id + ".partial", id})
        if (auto removed = root.removeTree(d); !removed)
            return fail(removed.error().withContext("removing checkpoint '" + id + "'"));
    return {};
}

Result<json> CheckpointManager::read(const std::string& id, const std::vector<std::string>& paths,
                                     RequestContext& context)
{
    PV_TRY_STATUS(protocol::validateName("checkpoint id", id));
    std::string dir = directory(id);
    std::vector<protocol::CheckpointFile> files;
    json manifest;
    if (paths.empty()) {
        PV_TRY(manifest, readManifest(id));
        PV_TRY(files, protocol::filesFromManifest(manifest));
    } else {
        // Pre-dump rounds stream before the checkpoint is complete: the
        // requester names the files (it has their hashes from the dump).
        PV_TRY(auto root, protocol::BeneathDir::open(dir));
        for (const auto& p : paths) {
            PV_TRY_STATUS(protocol::validateCheckpointPath(p));
            protocol::CheckpointFile f;
            f.path = p;
            auto st = root.lstat(p);
            if (!st)
                return fail(ErrorCode::NotFound, "checkpoint '" + id + "' has no file " + p);
            if (S_ISLNK(st->st_mode)) {
                PV_TRY(f.symlink, root.readLink(p));
            } else if (S_ISREG(st->st_mode)) {
                f.size = static_cast<std::uint64_t>(st->st_size);
            } else {
                return fail(ErrorCode::InvalidArgument, "checkpoint '" + id + "' file " + p + " is not a regular file");
            }
            files.push_back(f);
        }
    }
    std::uint64_t total = protocol::totalSize(files);
    PV_TRY_STATUS(protocol::sendCheckpointFiles(
        dir, files, [&](json header, std::string_view payload) { return context.sendData(std::move(header), payload); },
        [&](std::uint64_t done, std::uint64_t) { context.progress("sending the checkpoint", done, total); }));
    return json{{"id", id}, {"files", files.size()}, {"bytes", total}, {"manifest", manifest}};
}

Result<json> CheckpointManager::write(const std::string& id, const json& manifest,
                                      const std::vector<std::string>& only, bool final, RequestContext& context)
{
    PV_TRY_STATUS(protocol::validateName("checkpoint id", id));
    if (fs::exists(directory(id)))
        return fail(ErrorCode::AlreadyExists, "checkpoint '" + id + "' is already in this VM");
    PV_TRY(auto all, protocol::filesFromManifest(manifest));
    std::string partial = directory(id) + ".partial";
    std::error_code ec;
    if (!fs::exists(partial))
        m_memo.forget(id); // a new upload: nothing of an earlier one counts
    std::vector<protocol::CheckpointFile> incoming;
    for (const auto& f : all)
        if (only.empty() || std::find(only.begin(), only.end(), f.path) != only.end())
            incoming.push_back(f);
    // Each file is moved into place only once it matched; a failed part
    // leaves the files of earlier parts as they were.
    PV_TRY(auto receiver, protocol::CheckpointReceiver::open(partial, incoming));
    while (!receiver->complete()) {
        auto frame = context.receiveData(std::chrono::seconds(60));
        Status accepted = frame ? receiver->accept(*frame) : Status(fail(frame.error()));
        if (!accepted)
            return fail(accepted.error().withContext("receiving checkpoint '" + id + "'"));
        context.progress("receiving the checkpoint", receiver->bytes(), receiver->totalBytes());
    }
    // Each file was checked as it arrived: remember it as it is now.
    m_memo.remember(id, partial, incoming, true);
    json result{{"id", id}, {"files", incoming.size()}, {"bytes", receiver->bytes()}, {"complete", false}};
    if (!final)
        return result;
    PV_TRY(auto root, protocol::BeneathDir::open(partial));
    for (const auto& f : all) {
        auto st = root.lstat(f.path);
        bool present = st && (f.symlink.empty() ? S_ISREG(st->st_mode) && static_cast<std::uint64_t>(st->st_size) == f.size
                                                : S_ISLNK(st->st_mode));
        if (!present)
            return fail(ErrorCode::InvalidArgument, "checkpoint '" + id + "' is incomplete: " + f.path + " never arrived");
    }
    {
        PV_TRY(UniqueFd out, root.openFile("manifest.json", O_WRONLY | O_CREAT | O_TRUNC, 0644));
        std::string text = manifest.dump(2) + "\n";
        if (::write(out.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(out.get()) < 0)
            return failErrno("storing checkpoint '" + id + "'", errno);
    }
    fs::rename(partial, directory(id), ec);
    if (ec)
        return fail(ErrorCode::Internal, "storing checkpoint '" + id + "': " + ec.message());
    result["complete"] = true;
    return result;
}

Result<protocol::CheckpointCommitResult> CheckpointManager::commit(const std::string& id)
{
    PV_TRY(json manifest, readManifest(id));
    std::string name = manifest.value("container", "");
    PV_TRY_STATUS(m_containers.retire(name, id));
    return protocol::CheckpointCommitResult{id, name, protocol::CheckpointState::Checkpointed};
}

} // namespace pidvisor::agent
