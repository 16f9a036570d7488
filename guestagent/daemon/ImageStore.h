// ImageStore: the container images this VM has, by digest. An image is a
// directory IMAGES/<hex>/ holding image.json (protocol::ImageInfo) and
// rootfs/, the read-only lower layer of its containers' overlays. In a VM
// each one is an erofs disk the host attached (hot-plugged on the
// virtio-scsi bus); the store finds new disks by their erofs superblock,
// mounts them read-only under IMAGES and names them by the digest their
// image.json gives. The agent tests put plain directories there instead.
//
// The host is trusted with what it attaches; image.json is still read
// bounded and validated, since a mistake there must not crash the agent.
#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pidvisor::agent {

class ImageStore {
public:
    // `imagesDir` absolute, without ',', ':' or '\\' (overlay options).
    // `devDir` and `sysBlockDir` are where block devices are found ("": no
    // disks are looked for, only directories).
    explicit ImageStore(std::string imagesDir, std::string devDir = "/dev",
                        std::string sysBlockDir = "/sys/class/block");

    // Every image the VM has, after mounting new image disks.
    [[nodiscard]] std::vector<protocol::ImageInfo> list();
    // The image with `digest`: rootfs directory for an overlay's lowerdir.
    // NotFound names the digest when no attached disk or directory has it.
    [[nodiscard]] Result<std::string> rootfs(const std::string& digest);
    // The image whose name or digest is `ref` (the in-guest CLI's --image).
    [[nodiscard]] Result<protocol::ImageInfo> find(const std::string& ref);
    // Unmounts the disks of images no container uses (`inUse`: digests), so
    // the host can detach them.
    void releaseUnused(const std::set<std::string>& inUse);

    [[nodiscard]] const std::string& dir() const { return m_dir; }

private:
    struct Entry {
        protocol::ImageInfo info;
        std::string device; // "" for a plain directory
    };
    void scanDirectory();
    void mountNewDisks();
    [[nodiscard]] Status mountDisk(const std::string& device);

    std::string m_dir;
    std::string m_devDir;
    std::string m_sysBlockDir;
    std::mutex m_mutex;
    std::map<std::string, Entry> m_images;  // digest -> image
    std::set<std::string> m_seenDevices;    // probed already (erofs or not)
};

} // namespace pidvisor::agent
