// CriuImages: reads the image files CRIU wrote, with the protobuf-c code
// generated from CRIU's pstree.proto and stats.proto: the process tree
// (virtual pids that a restore must reproduce) and CRIU's own dump
// statistics (stats-dump, written by dump and pre-dump alike).
//
// An image file is two magic numbers and then entries, each a 32-bit
// little-endian size followed by that many bytes of one message.
#pragma once

#include "protocol/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pidvisor::agent {

// criu/include/magic.h: the first word says how the file is used, the
// second what it holds.
inline constexpr std::uint32_t kCriuImgCommonMagic = 0x54564319;  // image of a process tree
inline constexpr std::uint32_t kCriuImgServiceMagic = 0x55105940; // CRIU's own bookkeeping
inline constexpr std::uint32_t kCriuPstreeMagic = 0x50273030;
inline constexpr std::uint32_t kCriuStatsMagic = 0x57093306;

struct PstreeEntry {
    std::uint32_t pid = 0, ppid = 0, pgid = 0, sid = 0; // virtual: inside the container
    std::vector<std::uint32_t> threads;
};

// CRIU's dump_stats_entry: times in microseconds, counts in pages.
struct CriuDumpStats {
    std::uint32_t freezingTimeUs = 0, frozenTimeUs = 0, memoryDumpTimeUs = 0, memoryWriteTimeUs = 0;
    std::uint32_t irmapResolveTimeUs = 0;
    std::uint64_t pagesScanned = 0, pagesSkippedParent = 0, pagesWritten = 0, pagesLazy = 0;
};

[[nodiscard]] Result<std::vector<PstreeEntry>> readPstree(const std::string& imagesDir);
[[nodiscard]] Result<CriuDumpStats> readDumpStats(const std::string& imagesDir);

} // namespace pidvisor::agent
