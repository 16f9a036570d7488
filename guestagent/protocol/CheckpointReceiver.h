// CheckpointReceiver: writes the files of a checkpoint that a peer sends
// (the agent receiving from the host, the manager receiving from a guest)
// into a directory, trusting nothing the peer says.
//
// The file list (from the manifest) is checked before anything is written:
// a duplicate, an empty, absolute, '..' or over-long path, an entry below
// another entry, too many files or a size beyond the limits is refused.
// Each file is written under a temporary name beneath the directory
// (BeneathDir: no symlink is ever followed), fsync'd and hashed; only when
// every file has arrived and matched are they renamed into place. A symlink
// in a checkpoint is data: it is created as a symlink with its recorded
// target and never followed. A receive that fails or is abandoned removes
// its temporary files and leaves what was in the directory as it was.
//
//   PV_TRY(auto receiver, CheckpointReceiver::open(dir, files));
//   while (!receiver->complete())
//       PV_TRY_STATUS(receiver->accept(nextDataFrame()));
#pragma once

#include "BeneathDir.h"
#include "CheckpointFiles.h"
#include "Frame.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pidvisor::protocol {

inline constexpr std::size_t kMaxCheckpointFiles = 100000;
inline constexpr std::uint64_t kMaxCheckpointFileSize = 64ULL << 30;   // 64 GiB
inline constexpr std::uint64_t kMaxCheckpointSize = 1ULL << 40;        // 1 TiB
inline constexpr std::size_t kMaxSymlinkTarget = 1024;

// The checks above on a file list, with the first problem as the error.
[[nodiscard]] Status validateCheckpointFiles(const std::vector<CheckpointFile>& files);

class CheckpointReceiver {
public:
    // Checks `expected` and opens `dir` (made when missing).
    [[nodiscard]] static Result<std::unique_ptr<CheckpointReceiver>> open(const std::string& dir,
                                                                          const std::vector<CheckpointFile>& expected);
    ~CheckpointReceiver();
    CheckpointReceiver(const CheckpointReceiver&) = delete;
    CheckpointReceiver& operator=(const CheckpointReceiver&) = delete;

    // One data frame; after the last file's last frame, moves every file
    // into place. An error ends the receive: later frames are refused.
    [[nodiscard]] Status accept(const Frame& data);
    [[nodiscard]] bool complete() const { return m_committed; }
    [[nodiscard]] std::uint64_t bytes() const { return m_bytes; }
    [[nodiscard]] std::uint64_t totalBytes() const { return m_total; }

private:
    struct Incoming;
    CheckpointReceiver(BeneathDir dir, std::uint64_t total);
    [[nodiscard]] Status acceptFrame(const Frame& data);
    [[nodiscard]] Status startFile(const std::string& path, Incoming& in);
    [[nodiscard]] Status finishFile(const std::string& path, Incoming& in);
    [[nodiscard]] Status commit();
    void discard();

    BeneathDir m_dir;
    std::map<std::string, std::unique_ptr<Incoming>> m_files;
    std::size_t m_arrived = 0;
    std::uint64_t m_bytes = 0, m_total = 0;
    bool m_committed = false;
    std::optional<Error> m_failed;
};

} // namespace pidvisor::protocol
