#include "VerifiedMemo.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

namespace pidvisor::agent {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::optional<json> identity(const std::string& file)
{
    struct stat st {};
    if (::lstat(file.c_str(), &st) < 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    auto ns = [](const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; };
    return json{{"dev", st.st_dev},  {"ino", st.st_ino},          {"size", st.st_size},
                {"mtime_ns", ns(st.st_mtim)}, {"ctime_ns", ns(st.st_ctim)}};
}

json readEntries(const std::string& memoFile)
{
    std::ifstream in(memoFile);
    if (!in)
        return json::object();
    json memo = json::parse(in, nullptr, false);
    if (memo.is_discarded() || !memo.contains("files") || !memo["files"].is_object())
        return json::object();
    return memo["files"];
}

// The entry describes this very file as it is now.
bool sameFile(const json& entry, const std::string& file)
{
    auto now = identity(file);
    if (!now)
        return false;
    for (const char* key : {"dev", "ino", "size", "mtime_ns", "ctime_ns"})
        if (!entry.contains(key) || entry[key] != (*now)[key])
            return false;
    return true;
}

} // namespace

void VerifiedMemo::remember(const std::string& id, const std::string& checkpointDir,
                            const std::vector<protocol::CheckpointFile>& files, bool merge) const
{
    json entries = json::object();
    if (merge)
        entries = readEntries(path(id));
    for (const auto& f : files) {
        if (!f.symlink.empty())
            continue;
        auto now = identity(checkpointDir + "/" + f.path);
        if (!now || (*now)["size"].get<std::uint64_t>() != f.size) {
            forget(id);
            return;
        }
        (*now)["sha256"] = f.sha256;
        entries[f.path] = *now;
    }
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    std::string tmp = path(id) + ".tmp";
    {
        std::ofstream out(tmp);
        out << json{{"files", entries}}.dump() << "\n";
        if (!out)
            return;
    }
    fs::rename(tmp, path(id), ec);
}

bool VerifiedMemo::unchanged(const std::string& id, const std::string& checkpointDir,
                             const std::vector<protocol::CheckpointFile>& files) const
{
    json entries = readEntries(path(id));
    if (entries.empty())
        return false;
    for (const auto& f : files) {
        if (!f.symlink.empty())
            continue;
        auto it = entries.find(f.path);
        if (it == entries.end() || it->value("sha256", "") != f.sha256 || !sameFile(*it, checkpointDir + "/" + f.path))
            return false;
    }
    return true;
}

protocol::KnownHash VerifiedMemo::knownHashes(const std::string& id, const std::string& checkpointDir) const
{
    return [entries = readEntries(path(id)), checkpointDir](const std::string& file,
                                                            std::uint64_t size) -> std::optional<std::string> {
        auto it = entries.find(file);
        if (it == entries.end() || it->value("size", std::uint64_t{0}) != size ||
            !sameFile(*it, checkpointDir + "/" + file))
            return std::nullopt;
        std::string sha = it->value("sha256", "");
        if (sha.empty())
            return std::nullopt;
        return sha;
    };
}

void VerifiedMemo::forget(const std::string& id) const
{
    std::error_code ec;
    fs::remove(path(id), ec);
}

} // namespace pidvisor::agent
