// VerifiedMemo: what the agent knows about checkpoint files it hashed
// itself. Hashing runs at ~50 MiB/s under TCG, and a checkpoint's files are
// hashed when they are made (dump) or checked as they arrive (transfer).
// Restoring checked every byte once more, and a live migration did that in
// its downtime. The memo records, per file, the sha256 the agent computed
// and the file's identity then (inode, size, mtime, ctime); when all of
// that still holds, the files are the ones already checked. Any write,
// truncate, chmod or replacement changes ctime (which userspace cannot set),
// so a changed file is hashed again and a corrupt one refused as before.
// The one blind spot is a write within the same clock tick (a few ms) as
// the memo's own look at the file; the files live in the agent's 0700 state
// directory, so only root in the VM could make one.
#pragma once

#include "protocol/CheckpointFiles.h"

#include <string>
#include <vector>

namespace pidvisor::agent {

class VerifiedMemo {
public:
    explicit VerifiedMemo(std::string dir) : m_dir(std::move(dir)) {}

    // Records that `files` of the checkpoint in `checkpointDir` were hashed
    // (or checked) just now; with `merge`, next to those remembered before
    // (a transfer in parts). Failures only lose the shortcut.
    void remember(const std::string& id, const std::string& checkpointDir,
                  const std::vector<protocol::CheckpointFile>& files, bool merge) const;
    // True when every regular file of `files` was remembered with the same
    // sha256 and is the same, unchanged file now.
    [[nodiscard]] bool unchanged(const std::string& id, const std::string& checkpointDir,
                                 const std::vector<protocol::CheckpointFile>& files) const;
    // Reads the memo of checkpoint `id` once; the function it returns gives
    // the remembered sha256 of a file (path relative to the checkpoint) when
    // it is that same, unchanged file of that size.
    [[nodiscard]] protocol::KnownHash knownHashes(const std::string& id, const std::string& checkpointDir) const;
    void forget(const std::string& id) const;

private:
    [[nodiscard]] std::string path(const std::string& id) const { return m_dir + "/" + id + ".json"; }

    std::string m_dir;
};

} // namespace pidvisor::agent
