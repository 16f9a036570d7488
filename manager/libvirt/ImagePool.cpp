#include "ImagePool.h"

#include "core/Paths.h"
#include "vm/XmlDocument.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

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

Result<std::string> ImagePool::ensureFile(const std::string& name, const std::string& localFile,
                                          const ProgressFn& progress)
{
    PV_TRY_STATUS(ensure());
    struct stat st {};
    if (::stat(localFile.c_str(), &st) < 0)
        return failErrno("reading " + localFile, errno);
    auto size = static_cast<unsigned long long>(st.st_size);
    if (auto existing = lookup(name)) {
        virStorageVolInfo info{};
        if (virStorageVolGetInfo(existing->get(), &info) == 0 && info.capacity == size) {
            LibvirtString path(virStorageVolGetPath(existing->get()));
            return std::string(path.get());
        }
        (void)virStorageVolDelete(existing->get(), 0);
    }
    virResetLastError();
    std::string xml = "<volume><name>" + xmlEscape(name) + "</name><capacity unit='bytes'>" + std::to_string(size) +
                      "</capacity><target><format type='raw'/><permissions><mode>0644</mode></permissions>"
                      "</target></volume>";
    VolumePtr vol(virStorageVolCreateXML(m_pool.get(), xml.c_str(), 0));
    if (!vol)
        return fail(libvirtError("creating volume '" + name + "'"));
    StreamPtr stream(virStreamNew(m_conn.raw(), 0));
    UniqueFd fd(::open(localFile.c_str(), O_RDONLY | O_CLOEXEC));
    if (!stream || !fd || virStorageVolUpload(vol.get(), stream.get(), 0, size, 0) < 0)
        return fail(libvirtError("uploading " + localFile));
    struct Upload {
        int fd;
        unsigned long long done, total;
        const ProgressFn* progress;
        std::string name;
    } up{fd.get(), 0, size, &progress, name};
    auto source = [](virStreamPtr, char* data, size_t n, void* opaque) -> int {
        auto* u = static_cast<Upload*>(opaque);
        ssize_t got = ::read(u->fd, data, n);
        if (got > 0) {
            u->done += static_cast<unsigned long long>(got);
            report(*u->progress, "uploading the guest image", static_cast<int>(u->done * 100 / u->total), u->name);
        }
        return static_cast<int>(got);
    };
    if (virStreamSendAll(stream.get(), source, &up) < 0 || virStreamFinish(stream.get()) < 0) {
        virStreamAbort(stream.get());
        return fail(libvirtError("uploading " + localFile));
    }
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
