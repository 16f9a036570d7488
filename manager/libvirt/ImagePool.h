// ImagePool: Pidvisor's libvirt storage pool ("pidvisor") on the
// hypervisor host. Guest kernels and initramfs files are uploaded into it
// as volumes named by content hash, and data disks are made there, so the
// same code works whether libvirt runs here or on a remote host.
#pragma once

#include "Connection.h"

#include "core/Progress.h"

#include <chrono>
#include <optional>

namespace pidvisor::manager {

inline constexpr const char* kPoolName = "pidvisor";

class ImagePool {
public:
    explicit ImagePool(const Connection& conn) : m_conn(conn) {}

    // Defines, builds and starts the pool when it is missing.
    [[nodiscard]] Status ensure();
    [[nodiscard]] const std::string& directory() const { return m_dir; }

    // Uploads `localFile` as volume `name` unless a volume of that name and
    // size is there already; returns its path on the hypervisor host.
    [[nodiscard]] Result<std::string> ensureFile(const std::string& name, const std::string& localFile,
                                                 const ProgressFn& progress);
    // How long a volume being uploaded by someone else may stop growing
    // before it counts as abandoned and is replaced.
    void setUploadStallTimeout(std::chrono::milliseconds t) { m_uploadStall = t; }
    [[nodiscard]] Result<std::string> createDisk(const std::string& name, std::int64_t sizeMiB);
    [[nodiscard]] Status remove(const std::string& name);
    // Downloads a file of the pool (a console log) as text, at most maxBytes from its end.
    [[nodiscard]] Result<std::string> download(const std::string& name, std::size_t maxBytes);

private:
    [[nodiscard]] Result<VolumePtr> lookup(const std::string& name) const;
    // The empty volume an uploader creates once volume `name` is complete.
    [[nodiscard]] static std::string readyMarker(const std::string& name);
    // The path of volume `name` when it holds all `size` bytes.
    [[nodiscard]] std::optional<std::string> completeVolumePath(const std::string& name,
                                                               unsigned long long size) const;
    // Waits out an upload of `name` by someone else; the path when it
    // completes, nothing when there is no usable volume (none, or a stale one,
    // which it removes).
    [[nodiscard]] Result<std::optional<std::string>> awaitForeignUpload(const std::string& name,
                                                                       unsigned long long size,
                                                                       const ProgressFn& progress) const;
    [[nodiscard]] Result<std::string> upload(VolumePtr vol, const std::string& name, const std::string& localFile,
                                             unsigned long long size, const ProgressFn& progress);

    const Connection& m_conn;
    PoolPtr m_pool;
    std::string m_dir;
    std::chrono::milliseconds m_uploadStall{20000};
};

// The pool directory for a URI: /var/lib/pidvisor/pool for system
// connections, the user's data directory for session ones.
[[nodiscard]] std::string poolDirectoryFor(const std::string& uri);

} // namespace pidvisor::manager
