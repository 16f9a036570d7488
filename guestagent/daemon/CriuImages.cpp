#include "CriuImages.h"

#include "pstree.pb-c.h"
#include "stats.pb-c.h"

#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>

namespace pidvisor::agent {

namespace {

std::uint32_t le32(const std::string& s, std::size_t at)
{
    auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
    return b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24;
}

// Calls `entry` with each message's bytes; its error stops the walk.
Status readImage(const std::string& path, std::uint32_t first, std::uint32_t second, const std::string& what,
                 const std::function<Status(const std::uint8_t*, std::size_t)>& entry)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(ErrorCode::NotFound, "checkpoint has no " + path);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.size() < 8 || le32(data, 0) != first || le32(data, 4) != second)
        return fail(ErrorCode::InvalidArgument, path + " is not a CRIU " + what + " image");
    for (std::size_t at = 8; at < data.size();) {
        if (at + 4 > data.size())
            return fail(ErrorCode::InvalidArgument, path + " is truncated");
        std::uint32_t size = le32(data, at);
        at += 4;
        if (size > data.size() - at)
            return fail(ErrorCode::InvalidArgument, path + " is truncated");
        PV_TRY_STATUS(entry(reinterpret_cast<const std::uint8_t*>(data.data()) + at, size));
        at += size;
    }
    return {};
}

struct PstreeDeleter {
    void operator()(::PstreeEntry* e) const { pstree_entry__free_unpacked(e, nullptr); }
};
struct StatsDeleter {
    void operator()(StatsEntry* e) const { stats_entry__free_unpacked(e, nullptr); }
};

} // namespace

Result<std::vector<PstreeEntry>> readPstree(const std::string& imagesDir)
{
    std::string path = imagesDir + "/pstree.img";
    std::vector<PstreeEntry> out;
    PV_TRY_STATUS(readImage(path, kCriuImgCommonMagic, kCriuPstreeMagic, "process tree",
                            [&](const std::uint8_t* bytes, std::size_t size) -> Status {
                                std::unique_ptr<::PstreeEntry, PstreeDeleter> m(
                                    pstree_entry__unpack(nullptr, size, bytes));
                                if (!m)
                                    return fail(ErrorCode::InvalidArgument, path + " has an entry that is not a pstree_entry");
                                PstreeEntry e;
                                e.pid = m->pid;
                                e.ppid = m->ppid;
                                e.pgid = m->pgid;
                                e.sid = m->sid;
                                e.threads.assign(m->threads, m->threads + m->n_threads);
                                out.push_back(std::move(e));
                                return {};
                            }));
    return out;
}

Result<CriuDumpStats> readDumpStats(const std::string& imagesDir)
{
    std::string path = imagesDir + "/stats-dump";
    std::optional<CriuDumpStats> found;
    PV_TRY_STATUS(readImage(path, kCriuImgServiceMagic, kCriuStatsMagic, "statistics",
                            [&](const std::uint8_t* bytes, std::size_t size) -> Status {
                                std::unique_ptr<StatsEntry, StatsDeleter> m(stats_entry__unpack(nullptr, size, bytes));
                                if (!m)
                                    return fail(ErrorCode::InvalidArgument, path + " has an entry that is not a stats_entry");
                                if (!m->dump)
                                    return {};
                                const DumpStatsEntry& d = *m->dump;
                                CriuDumpStats s;
                                s.freezingTimeUs = d.freezing_time;
                                s.frozenTimeUs = d.frozen_time;
                                s.memoryDumpTimeUs = d.memdump_time;
                                s.memoryWriteTimeUs = d.memwrite_time;
                                s.irmapResolveTimeUs = d.has_irmap_resolve ? d.irmap_resolve : 0;
                                s.pagesScanned = d.pages_scanned;
                                s.pagesSkippedParent = d.pages_skipped_parent;
                                s.pagesWritten = d.pages_written;
                                s.pagesLazy = d.pages_lazy;
                                found = s;
                                return {};
                            }));
    if (!found)
        return fail(ErrorCode::InvalidArgument, path + " has no dump statistics");
    return *found;
}

} // namespace pidvisor::agent
