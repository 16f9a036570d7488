// ImagePool: Pidvisor's libvirt storage pool ("pidvisor") on the
// hypervisor host. Guest kernels and initramfs files are uploaded into it
// as volumes named by content hash, and data disks are made there, so the
// same code works whether libvirt runs here or on a remote host.
#pragma once

#include "Connection.h"

#include "core/Progress.h"

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
    [[nodiscard]] Result<std::string> createDisk(const std::string& name, std::int64_t sizeMiB);
    [[nodiscard]] Status remove(const std::string& name);
    // Downloads a file of the pool (a console log) as text, at most maxBytes from its end.
    [[nodiscard]] Result<std::string> download(const std::string& name, std::size_t maxBytes);

private:
    [[nodiscard]] Result<VolumePtr> lookup(const std::string& name) const;

    const Connection& m_conn;
    PoolPtr m_pool;
    std::string m_dir;
};

// The pool directory for a URI: /var/lib/pidvisor/pool for system
// connections, the user's data directory for session ones.
[[nodiscard]] std::string poolDirectoryFor(const std::string& uri);

} // namespace pidvisor::manager
