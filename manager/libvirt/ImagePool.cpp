#include "ImagePool.h"

#include "core/Paths.h"
#include "vm/XmlDocument.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

namespace pidvisor::manager {

std::string poolDirectoryFor(const std::string& uri)
{
    if (uri.find("/session") != std::string::npos)
        return xdgDataHome() + "/pidvisor/pool";
    return "/var/lib/pidvisor/pool";
}

Status ImagePool::ensure()
{
    if (m_pool)
        return {};
    m_pool.reset(virStoragePoolLookupByName(m_conn.raw(), kPoolName));
    if (!m_pool) {
        virResetLastError();
        m_dir = poolDirectoryFor(m_conn.uri());
        std::string xml = "<pool type='dir'><name>" + std::string(kPoolName) + "</name><target><path>" +
                          xmlEscape(m_dir) + "</path><permissions><mode>0755</mode></permissions></target></pool>";
        m_pool.reset(virStoragePoolDefineXML(m_conn.raw(), xml.c_str(), 0));
        if (!m_pool)
            return fail(libvirtError("defining the storage pool '" + std::string(kPoolName) + "'"));
        if (virStoragePoolBuild(m_pool.get(), 0) < 0)
            return fail(libvirtError("creating the directory of storage pool '" + std::string(kPoolName) + "'"));
        (void)virStoragePoolSetAutostart(m_pool.get(), 1);
    }
    if (virStoragePoolIsActive(m_pool.get()) != 1 && virStoragePoolCreate(m_pool.get(), 0) < 0)
        return fail(libvirtError("starting the storage pool '" + std::string(kPoolName) + "'"));
    LibvirtString xml(virStoragePoolGetXMLDesc(m_pool.get(), 0));
    if (xml)
        if (auto doc = XmlDocument::parse(xml.get()))
            m_dir = doc->text("/pool/target/path").value_or(m_dir);
    (void)virStoragePoolRefresh(m_pool.get(), 0);
    virResetLastError();
    return {};
}

Result<VolumePtr> ImagePool::lookup(const std::string& name) const
{
    VolumePtr vol(virStorageVolLookupByName(m_pool.get(), name.c_str()));
    if (!vol)
        return fail(libvirtError("looking up volume '" + name + "'"));
    return vol;
}

namespace {

// Uploads within this process run one at a time: two VMs created at once
// need the same kernel and initramfs volumes, and the second one should find
// them complete instead of racing to create them.
std::mutex g_uploadMutex;

} // namespace

std::string ImagePool::readyMarker(const std::string& name)
{
    return name + ".ready";
}

std::optional<std::string> ImagePool::completeVolumePath(const std::string& name, unsigned long long size) const
{
    auto vol = lookup(name);
    virResetLastError();
    if (!vol)
        return std::nullopt;
    virStorageVolInfo info{};
    if (virStorageVolGetInfo(vol->get(), &info) < 0 || info.capacity != size) {
        virResetLastError();
        return std::nullopt;
    }
    // Complete: its uploader left the marker, or (a volume from before
    // markers) every byte is allocated.
    bool marked = static_cast<bool>(lookup(readyMarker(name)));
    virResetLastError();
    if (!marked && info.allocation < size)
        return std::nullopt;
    LibvirtString path(virStorageVolGetPath(vol->get()));
    if (!path)
        return std::nullopt;
    return std::string(path.get());
}

Result<std::optional<std::string>> ImagePool::awaitForeignUpload(const std::string& name, unsigned long long size,
                                                               const ProgressFn& progress) const
{
    // Another process (a second manager, the CLI next to the GUI) may be
    // uploading this volume: wait while its allocation grows; a volume that
    // stops growing short of its size is a leftover of an interrupted upload.
    unsigned long long last = 0;
    auto lastChange = std::chrono::steady_clock::now();
    for (;;) {
        if (auto path = completeVolumePath(name, size))
            return path;
        auto vol = lookup(name);
        if (!vol) {
            if (vol.error().code == ErrorCode::NotFound)
                return std::optional<std::string>{};
            return fail(vol.error());
        }
        virStorageVolInfo info{};
        bool known = virStorageVolGetInfo(vol->get(), &info) == 0;
        virResetLastError();
        if (known && info.capacity != size) {
            if (virStorageVolDelete(vol->get(), 0) < 0)
                return fail(libvirtError("replacing volume '" + name + "' of another size"));
            return std::optional<std::string>{};
        }
        auto now = std::chrono::steady_clock::now();
        if (known && info.allocation != last) {
            last = info.allocation;
            lastChange = now;
            report(progress, "waiting for another upload of the guest image",
                   static_cast<int>(std::min(info.allocation, size) * 100 / std::max(size, 1ULL)), name);
        } else if (now - lastChange > m_uploadStall) {
            if (virStorageVolDelete(vol->get(), 0) < 0)
                return fail(libvirtError("removing the incomplete volume '" + name + "'"));
            return std::optional<std::string>{};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

Result<std::string> ImagePool::ensureFile(const std::string& name, const std::string& localFile,
                                          const ProgressFn& progress)
{
    PV_TRY_STATUS(ensure());
    struct stat st {};
    if (::stat(localFile.c_str(), &st) < 0)
        return failErrno("reading " + localFile, errno);
    auto size = static_cast<unsigned long long>(st.st_size);
    std::lock_guard lock(g_uploadMutex);
    for (int attempt = 0;; ++attempt) {
        PV_TRY(std::optional<std::string> ready, awaitForeignUpload(name, size, progress));
        if (ready)
            return *ready;
        // Allocation 0: the file fills as the upload goes, so a concurrent
        // reader sees it progress, or stop (an interrupted upload).
        if (auto marker = lookup(readyMarker(name)))
            (void)virStorageVolDelete(marker->get(), 0); // of a volume that is gone
        virResetLastError();
        std::string xml = "<volume><name>" + xmlEscape(name) + "</name><capacity unit='bytes'>" +
                          std::to_string(size) +
                          "</capacity><allocation>0</allocation><target><format type='raw'/>"
                          "<permissions><mode>0644</mode></permissions></target></volume>";
        VolumePtr vol(virStorageVolCreateXML(m_pool.get(), xml.c_str(), 0));
        if (!vol) {
            Error err = libvirtError("creating volume '" + name + "'");
            if (err.code == ErrorCode::AlreadyExists && attempt < 3)
                continue; // another process created it just now: wait for its upload
            return fail(std::move(err));
        }
        return upload(std::move(vol), name, localFile, size, progress);
    }
}

Result<std::string> ImagePool::upload(VolumePtr vol, const std::string& name, const std::string& localFile,
                                      unsigned long long size, const ProgressFn& progress)
{
    // On any failure the partial volume goes, so nobody boots half a kernel.
    auto discard = [&vol](Error err) -> Result<std::string> {
        (void)virStorageVolDelete(vol.get(), 0);
        virResetLastError();
        return fail(std::move(err));
    };
    StreamPtr stream(virStreamNew(m_conn.raw(), 0));
    UniqueFd fd(::open(localFile.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return discard(errnoError("reading " + localFile, errno));
    if (!stream || virStorageVolUpload(vol.get(), stream.get(), 0, size, 0) < 0)
        return discard(libvirtError("uploading " + localFile));
    struct Upload {
        int fd;
        unsigned long long done, total;
        const ProgressFn* progress;
        const std::string* name;
    } up{fd.get(), 0, size, &progress, &name};
    auto source = [](virStreamPtr, char* data, size_t n, void* opaque) -> int {
        auto* u = static_cast<Upload*>(opaque);
        ssize_t got = ::read(u->fd, data, n);
        if (got > 0) {
            u->done += static_cast<unsigned long long>(got);
            report(*u->progress, "uploading the guest image", static_cast<int>(u->done * 100 / u->total), *u->name);
        }
        return static_cast<int>(got);
    };
    if (virStreamSendAll(stream.get(), source, &up) < 0 || virStreamFinish(stream.get()) < 0) {
        Error err = libvirtError("uploading " + localFile);
        virStreamAbort(stream.get());
        return discard(std::move(err));
    }
    // The marker says "complete" whatever the pool's filesystem reports as
    // allocation (compressed filesystems report less than the size).
    std::string marker = "<volume><name>" + xmlEscape(readyMarker(name)) +
                         "</name><capacity unit='bytes'>0</capacity><target><format type='raw'/></target></volume>";
    VolumePtr ready(virStorageVolCreateXML(m_pool.get(), marker.c_str(), 0));
    virResetLastError();
    LibvirtString path(virStorageVolGetPath(vol.get()));
    return std::string(path.get());
}

Result<std::string> ImagePool::createDisk(const std::string& name, std::int64_t sizeMiB)
{
    PV_TRY_STATUS(ensure());
    if (lookup(name))
        return fail(ErrorCode::AlreadyExists, "volume '" + name + "' already exists in pool " + kPoolName);
    virResetLastError();
    std::string xml = "<volume><name>" + xmlEscape(name) + "</name><capacity unit='MiB'>" + std::to_string(sizeMiB) +
                      "</capacity><target><format type='qcow2'/></target></volume>";
    VolumePtr vol(virStorageVolCreateXML(m_pool.get(), xml.c_str(), 0));
    if (!vol)
        return fail(libvirtError("creating data disk '" + name + "'"));
    LibvirtString path(virStorageVolGetPath(vol.get()));
    return std::string(path.get());
}

Status ImagePool::remove(const std::string& name)
{
    PV_TRY_STATUS(ensure());
    (void)virStoragePoolRefresh(m_pool.get(), 0);
    auto vol = lookup(name);
    if (!vol)
        return vol.error().code == ErrorCode::NotFound ? Status{} : Status(fail(vol.error()));
    if (virStorageVolDelete(vol->get(), 0) < 0)
        return fail(libvirtError("deleting volume '" + name + "'"));
    return {};
}

Result<std::string> ImagePool::download(const std::string& name, std::size_t maxBytes)
{
    PV_TRY_STATUS(ensure());
    (void)virStoragePoolRefresh(m_pool.get(), 0);
    PV_TRY(VolumePtr vol, lookup(name));
    virStorageVolInfo info{};
    if (virStorageVolGetInfo(vol.get(), &info) < 0)
        return fail(libvirtError("reading volume '" + name + "'"));
    unsigned long long offset = info.allocation > maxBytes ? info.allocation - maxBytes : 0;
    StreamPtr stream(virStreamNew(m_conn.raw(), 0));
    if (!stream || virStorageVolDownload(vol.get(), stream.get(), offset, 0, 0) < 0)
        return fail(libvirtError("downloading volume '" + name + "'"));
    std::string out;
    char buf[65536];
    int n;
    while ((n = virStreamRecv(stream.get(), buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    if (n < 0)
        return fail(libvirtError("downloading volume '" + name + "'"));
    (void)virStreamFinish(stream.get());
    return out;
}

} // namespace pidvisor::manager
