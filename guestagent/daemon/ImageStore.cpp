#include "ImageStore.h"

#include "Log.h"

#include "protocol/ImageFiles.h"
#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace pidvisor::agent {

namespace {

constexpr std::uint32_t kErofsMagic = 0xE0F5E1E2;
constexpr off_t kErofsSuperblockOffset = 1024;

bool isErofs(const std::string& device)
{
    UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd)
        return false;
    std::array<unsigned char, 4> magic{};
    if (::pread(fd.get(), magic.data(), magic.size(), kErofsSuperblockOffset) != 4)
        return false;
    std::uint32_t value = magic[0] | (magic[1] << 8) | (magic[2] << 16) | (std::uint32_t(magic[3]) << 24);
    return value == kErofsMagic;
}

Result<protocol::ImageInfo> readInfo(const fs::path& dir)
{
    return protocol::readImageInfoFile((dir / "image.json").string());
}

} // namespace

ImageStore::ImageStore(std::string imagesDir, std::string devDir, std::string sysBlockDir)
    : m_dir(std::move(imagesDir)), m_devDir(std::move(devDir)), m_sysBlockDir(std::move(sysBlockDir))
{
}

// Directories named by a digest's hex with a valid image.json naming that
// digest: mounted disks of an earlier agent run, or plain trees.
void ImageStore::scanDirectory()
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
        std::string hex = entry.path().filename().string();
        if (hex.size() != 64 || !entry.is_directory(ec))
            continue;
        auto info = readInfo(entry.path());
        if (!info || protocol::digestHex(info->digest) != hex)
            continue;
        auto found = m_images.find(info->digest);
        if (found == m_images.end())
            m_images[info->digest] = Entry{*info, ""};
        else
            found->second.info = *info;
    }
}

void ImageStore::mountNewDisks()
{
    if (m_sysBlockDir.empty())
        return;
    std::error_code ec;
    // A disk unplugged without a release may come back under its old name.
    std::erase_if(m_seenDevices, [&](const std::string& n) { return !fs::exists(m_sysBlockDir + "/" + n, ec); });
    for (const auto& entry : fs::directory_iterator(m_sysBlockDir, ec)) {
        std::string name = entry.path().filename().string();
        if (fs::exists(entry.path() / "partition", ec) || m_seenDevices.count(name))
            continue;
        std::string device = m_devDir + "/" + name;
        if (!isErofs(device)) {
            // A disk being attached may not be readable yet: probe again later.
            continue;
        }
        m_seenDevices.insert(name);
        if (auto ok = mountDisk(device); !ok)
            logError("image disk " + device + ": " + ok.error().message);
    }
}

// Mounts at a probe directory, reads image.json, then moves the mount to
// IMAGES/<hex> (or drops it when that image is already there).
Status ImageStore::mountDisk(const std::string& device)
{
    std::string probe = m_dir + "/.probe-" + fs::path(device).filename().string();
    std::error_code ec;
    fs::create_directories(probe, ec);
    if (::mount(device.c_str(), probe.c_str(), "erofs", MS_RDONLY | MS_NODEV, nullptr) < 0)
        return failErrno("mounting " + device, errno);
    auto info = readInfo(probe);
    std::string target = info ? m_dir + "/" + protocol::digestHex(info->digest) : "";
    bool have = info && m_images.count(info->digest);
    if (!info || have) {
        ::umount2(probe.c_str(), MNT_DETACH);
        fs::remove(probe, ec);
        if (!info)
            return fail(info.error());
        return {};
    }
    fs::create_directories(target, ec);
    if (::mount(probe.c_str(), target.c_str(), nullptr, MS_MOVE, nullptr) < 0) {
        int err = errno;
        ::umount2(probe.c_str(), MNT_DETACH);
        fs::remove(probe, ec);
        return failErrno("moving the mount of " + device + " to " + target, err);
    }
    fs::remove(probe, ec);
    m_images[info->digest] = Entry{*info, device};
    logInfo("image " + info->name + " (" + info->digest + ") from " + device);
    return {};
}

std::vector<protocol::ImageInfo> ImageStore::list()
{
    std::lock_guard lock(m_mutex);
    scanDirectory();
    mountNewDisks();
    std::vector<protocol::ImageInfo> out;
    for (const auto& [digest, entry] : m_images)
        out.push_back(entry.info);
    return out;
}

Result<std::string> ImageStore::rootfs(const std::string& digest)
{
    std::lock_guard lock(m_mutex);
    if (!m_images.count(digest)) {
        scanDirectory();
        mountNewDisks();
    }
    if (!m_images.count(digest))
        return fail(ErrorCode::NotFound, "image " + digest + " is not on this VM (no image disk holds it)");
    return m_dir + "/" + protocol::digestHex(digest) + "/rootfs";
}

Result<protocol::ImageInfo> ImageStore::find(const std::string& ref)
{
    for (const auto& info : list())
        if (info.name == ref || info.digest == ref || protocol::digestHex(info.digest) == ref)
            return info;
    return fail(ErrorCode::NotFound, "image '" + ref + "' is not on this VM");
}

void ImageStore::releaseUnused(const std::set<std::string>& inUse)
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_images.begin(); it != m_images.end();) {
        const Entry& e = it->second;
        if (e.device.empty() || inUse.count(it->first)) {
            ++it;
            continue;
        }
        std::string target = m_dir + "/" + protocol::digestHex(it->first);
        if (::umount2(target.c_str(), MNT_DETACH) < 0) {
            logError("unmounting image " + it->first + ": " + std::strerror(errno));
            ++it;
            continue;
        }
        std::error_code ec;
        fs::remove(target, ec);
        m_seenDevices.erase(fs::path(e.device).filename().string());
        logInfo("image " + e.info.name + " released from " + e.device);
        it = m_images.erase(it);
    }
}

} // namespace pidvisor::agent
