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

} // namespace

void VerifiedMemo::remember(const std::string& id, const std::string& checkpointDir,
                            const std::vector<protocol::CheckpointFile>& files, bool merge) const
{
    json entries = json::object();
    if (merge) {
        std::ifstream in(path(id));
        json old = in ? json::parse(in, nullptr, false) : json();
        if (!old.is_discarded() && old.contains("files") && old["files"].is_object())
            entries = old["files"];
    }
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
    std::ifstream in(path(id));
    if (!in)
        return false;
    json memo = json::parse(in, nullptr, false);
    if (memo.is_discarded() || !memo.contains("files") || !memo["files"].is_object())
        return false;
    const json& entries = memo["files"];
    for (const auto& f : files) {
        if (!f.symlink.empty())
            continue;
        auto it = entries.find(f.path);
        if (it == entries.end() || it->value("sha256", "") != f.sha256)
            return false;
        auto now = identity(checkpointDir + "/" + f.path);
        if (!now)
            return false;
        for (const char* key : {"dev", "ino", "size", "mtime_ns", "ctime_ns"})
            if (!it->contains(key) || (*it)[key] != (*now)[key])
                return false;
    }
    return true;
}

void VerifiedMemo::forget(const std::string& id) const
{
    std::error_code ec;
    fs::remove(path(id), ec);
}

} // namespace pidvisor::agent
