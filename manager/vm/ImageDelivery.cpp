#include "ImageDelivery.h"

#include "VmService.h"

#include "images/ImageService.h"
#include "libvirt/ImagePool.h"
#include "libvirt/LibvirtHandles.h"
#include "protocol/ImageFiles.h"

#include <chrono>
#include <set>
#include <thread>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace pidvisor::manager {

namespace {

unsigned affectFlags(virDomainPtr dom)
{
    int active = virDomainIsActive(dom);
    return VIR_DOMAIN_AFFECT_CONFIG | (active == 1 ? VIR_DOMAIN_AFFECT_LIVE : 0);
}

} // namespace

std::string ImageDelivery::volumeName(const std::string& digest)
{
    return "ctimage-" + protocol::digestHex(digest) + ".erofs";
}

Result<std::vector<ImageDisk>> ImageDelivery::attached(virDomainPtr dom) const
{
    PV_TRY(std::string xml, m_conn.xml(dom));
    return imageDisks(xml);
}

Result<ImageDisk> ImageDelivery::attach(virDomainPtr dom, const ContainerImageRecord& image,
                                        const ProgressFn& progress)
{
    const std::string serial = imageDiskSerial(image.info.digest);
    PV_TRY(std::vector<ImageDisk> disks, attached(dom));
    for (const auto& d : disks)
        if (d.serial == serial)
            return d;
    ImagePool pool(m_conn);
    report(progress, "uploading image " + image.info.name);
    PV_TRY(std::string volume, pool.ensureFile(volumeName(image.info.digest), image.volumeFile, progress));
    PV_TRY(std::string live, m_conn.xml(dom));
    // A shut-off domain's next free name comes from its config; a running
    // one's live and config definitions hold the same image disks.
    ImageDisk disk{freeScsiTarget(live), volume, serial};
    if (disk.targetDev.empty())
        return fail(ErrorCode::ResourceExhausted, "the VM has 26 image disks, its most: remove containers whose "
                                                  "images it no longer needs");
    report(progress, "attaching image " + image.info.name + " as " + disk.targetDev);
    std::string xml = buildImageDiskXml(disk);
    if (virDomainAttachDeviceFlags(dom, xml.c_str(), affectFlags(dom)) < 0)
        return fail(libvirtError("attaching the disk of image '" + image.info.name + "'"));
    return disk;
}

Status ImageDelivery::detach(virDomainPtr dom, const ImageDisk& disk)
{
    std::string xml = buildImageDiskXml(disk);
    if (virDomainDetachDeviceFlags(dom, xml.c_str(), affectFlags(dom)) < 0)
        return fail(libvirtError("detaching image disk " + disk.targetDev));
    return {};
}

Status provideImage(VmService& vms, AgentClient& agent, const std::string& vm, const std::string& digest,
                    const ProgressFn& progress)
{
    CallOptions brief{std::chrono::seconds(30), {}, {}, {}};
    auto seen = [&]() -> Result<bool> {
        PV_TRY(protocol::ImageListResult listed, agent.imageList(brief));
        for (const auto& i : listed.images)
            if (i.digest == digest)
                return true;
        return false;
    };
    PV_TRY(bool there, seen());
    if (there)
        return {};
    ImageService images(vms.inventory(), vms.paths());
    auto image = images.find(digest);
    if (!image)
        return fail(ErrorCode::NotFound, "image " + digest + " is not on this host (import or create it first)");
    PV_TRY(DomainPtr dom, vms.connection().lookup(vm));
    ImageDelivery delivery(vms.connection());
    PV_TRY(ImageDisk disk, delivery.attach(dom.get(), *image, progress));
    report(progress, "waiting for VM '" + vm + "' to mount image " + image->info.name);
    // The guest scans the SCSI bus when the disk arrives: a moment under TCG.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        PV_TRY(there, seen());
        if (there)
            return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return fail(ErrorCode::Timeout, "VM '" + vm + "' did not see image " + image->info.name + " on disk " +
                                        disk.targetDev + " within 60 s");
}

Status releaseUnusedImages(VmService& vms, AgentClient& agent, const std::string& vm)
{
    PV_TRY(protocol::ContainerListResult listed, agent.containerList());
    std::set<std::string> inUse;
    for (const auto& c : listed.containers)
        if (c.spec.image)
            inUse.insert(imageDiskSerial(*c.spec.image));
    PV_TRY(DomainPtr dom, vms.connection().lookup(vm));
    ImageDelivery delivery(vms.connection());
    PV_TRY(std::vector<ImageDisk> disks, delivery.attached(dom.get()));
    for (const auto& d : disks)
        if (!inUse.count(d.serial)) {
            auto detached = delivery.detach(dom.get(), d);
            if (!detached)
                return fail(detached.error().withContext("VM '" + vm + "'"));
        }
    return {};
}

} // namespace pidvisor::manager
