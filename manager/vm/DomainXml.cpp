#include "DomainXml.h"

#include "XmlDocument.h"

#include "libvirt/Connection.h"
#include "protocol/ImageFiles.h"

#include <sstream>

namespace pidvisor::manager {

std::string buildDomainXml(const VmSpec& s)
{
    auto e = [](const std::string& v) { return xmlEscape(v); };
    std::ostringstream x;
    x << "<domain type='" << e(s.domainType) << "'>\n"
      << "  <name>" << e(s.name) << "</name>\n"
      << "  <title>Pidvisor VM " << e(s.name) << "</title>\n"
      << "  <description>Managed by Pidvisor: containers with private pid spaces.</description>\n"
      << "  <metadata>\n"
      << "    <" << kMetadataPrefix << ":vm xmlns:" << kMetadataPrefix << "='" << kMetadataUri << "'>\n"
      << "      <" << kMetadataPrefix << ":inventory-id>" << s.inventoryId << "</" << kMetadataPrefix
      << ":inventory-id>\n"
      << "      <" << kMetadataPrefix << ":image>" << e(s.imageId) << "</" << kMetadataPrefix << ":image>\n"
      << "      <" << kMetadataPrefix << ":kernel>" << e(s.kernel) << "</" << kMetadataPrefix << ":kernel>\n"
      << "      <" << kMetadataPrefix << ":accel>" << e(s.accel) << "</" << kMetadataPrefix << ":accel>\n"
      << "      <" << kMetadataPrefix << ":created>" << e(s.created) << "</" << kMetadataPrefix << ":created>\n"
      << "      <" << kMetadataPrefix << ":owner>" << e(s.owner) << "</" << kMetadataPrefix << ":owner>\n"
      << "    </" << kMetadataPrefix << ":vm>\n"
      << "  </metadata>\n"
      << "  <memory unit='MiB'>" << s.memoryMiB << "</memory>\n"
      << "  <vcpu>" << s.vcpus << "</vcpu>\n"
      << "  <os>\n"
      << "    <type arch='x86_64'" << (s.domainType == "test" ? "" : " machine='q35'") << ">hvm</type>\n"
      << "    <kernel>" << e(s.kernelPath) << "</kernel>\n"
      << "    <initrd>" << e(s.initrdPath) << "</initrd>\n"
      << "    <cmdline>" << e(s.cmdline) << "</cmdline>\n"
      << "  </os>\n"
      << "  <features>\n    <acpi/>\n  </features>\n";
    if (s.domainType == "kvm")
        x << "  <cpu mode='host-passthrough'/>\n";
    else if (s.domainType == "qemu")
        x << "  <cpu mode='maximum'/>\n";
    x << "  <clock offset='utc'/>\n"
      << "  <on_poweroff>destroy</on_poweroff>\n"
      << "  <on_reboot>restart</on_reboot>\n"
      << "  <on_crash>destroy</on_crash>\n"
      << "  <devices>\n";
    // Under q35 the virtio devices sit on the root complex itself (no
    // PCIe root ports to enumerate): fewer devices, a faster boot.
    auto rootSlot = [&](int slot) {
        return s.domainType == "test" ? std::string()
                                      : "      <address type='pci' domain='0x0000' bus='0x00' slot='0x0" +
                                            std::to_string(slot) + "' function='0x0'/>\n";
    };
    if (!s.dataDiskPath.empty())
        x << "    <disk type='file' device='disk'>\n"
          << "      <driver name='qemu' type='qcow2'/>\n"
          << "      <source file='" << e(s.dataDiskPath) << "'/>\n"
          << "      <target dev='vda' bus='virtio'/>\n"
          << rootSlot(4) << "    </disk>\n";
    if (!s.network.empty())
        x << "    <interface type='network'>\n"
          << "      <source network='" << e(s.network) << "'/>\n"
          << "      <model type='virtio'/>\n"
          << rootSlot(6) << "    </interface>\n";
    // No USB: nothing here uses it, and probing it costs boot time under TCG.
    if (s.domainType != "test")
        x << "    <controller type='usb' model='none'/>\n";
    x << "    <controller type='scsi' index='0' model='virtio-scsi'>\n" << rootSlot(5) << "    </controller>\n";
    x << "    <controller type='virtio-serial' index='0'>\n" << rootSlot(2) << "    </controller>\n"
      << "    <channel type='unix'>\n"
      << "      <source mode='bind'/>\n"
      << "      <target type='virtio' name='" << kAgentChannel << "'/>\n"
      << "    </channel>\n"
      << "    <serial type='pty'>\n";
    if (!s.consoleLogPath.empty())
        x << "      <log file='" << e(s.consoleLogPath) << "' append='off'/>\n";
    x << "      <target port='0'/>\n"
      << "    </serial>\n"
      << "    <console type='pty'>\n"
      << "      <target type='serial' port='0'/>\n"
      << "    </console>\n";
    if (s.domainType != "test")
        x << "    <rng model='virtio'>\n"
          << "      <backend model='random'>/dev/urandom</backend>\n"
          << rootSlot(3) << "    </rng>\n"
          << "    <memballoon model='none'/>\n";
    x << "  </devices>\n"
      << "</domain>\n";
    return x.str();
}

Result<PidvisorMetadata> parseMetadata(const std::string& metadataXml)
{
    PV_TRY(XmlDocument doc, XmlDocument::parse(metadataXml));
    auto field = [&](const char* name) {
        return doc.text(std::string("/*[local-name()='vm']/*[local-name()='") + name + "']").value_or("");
    };
    if (!doc.text("/*[local-name()='vm']"))
        return fail(ErrorCode::InvalidArgument, "metadata has no Pidvisor vm element");
    PidvisorMetadata m;
    try {
        std::string id = field("inventory-id");
        m.inventoryId = id.empty() ? 0 : std::stoll(id);
    } catch (const std::exception&) {
        return fail(ErrorCode::InvalidArgument, "metadata inventory-id is not a number");
    }
    m.imageId = field("image");
    m.kernel = field("kernel");
    m.accel = field("accel");
    m.created = field("created");
    m.owner = field("owner");
    return m;
}

std::optional<std::string> agentSocketPath(const std::string& domainXml)
{
    auto doc = XmlDocument::parse(domainXml);
    if (!doc)
        return std::nullopt;
    return doc->text(std::string("/domain/devices/channel[@type='unix'][target/@name='") + kAgentChannel +
                     "']/source/@path");
}

Result<DomainFacts> readDomainFacts(const std::string& domainXml)
{
    PV_TRY(XmlDocument doc, XmlDocument::parse(domainXml));
    DomainFacts f;
    f.domainType = doc.text("/domain/@type").value_or("");
    // libvirt reports memory in KiB whatever unit it was defined with.
    std::string unit = doc.text("/domain/memory/@unit").value_or("KiB");
    std::int64_t mem = 0;
    try {
        mem = std::stoll(doc.text("/domain/memory").value_or("0"));
        f.vcpus = std::stoi(doc.text("/domain/vcpu").value_or("0"));
    } catch (const std::exception&) {
        return fail(ErrorCode::InvalidArgument, "domain XML has a memory or vcpu value that is not a number");
    }
    f.memoryMiB = unit == "MiB" ? mem : unit == "GiB" ? mem * 1024 : mem / 1024;
    f.consoleLogPath = doc.text("/domain/devices/serial/log/@file").value_or("");
    f.dataDiskPath = doc.text("/domain/devices/disk[target/@dev='vda']/source/@file").value_or("");
    f.network = doc.text("/domain/devices/interface[@type='network'][1]/source/@network").value_or("");
    f.mac = doc.text("/domain/devices/interface[@type='network'][1]/mac/@address").value_or("");
    return f;
}

std::string describeNetwork(const VmNetworkView& net)
{
    if (net.network.empty())
        return "none";
    std::string text = net.network + " (" + net.mac + ")";
    for (const auto& a : net.addresses)
        text += " " + a;
    if (net.addresses.empty())
        text += " no address yet";
    return text;
}

std::string imageDiskSerial(const std::string& digest)
{
    return "pv-" + protocol::digestHex(digest).substr(0, 16);
}

std::string buildImageDiskXml(const ImageDisk& d)
{
    auto e = [](const std::string& v) { return xmlEscape(v); };
    // One target per disk on the one virtio-scsi controller (sda: target 0
    // ... sdz: 25). Left to itself libvirt fills 7 units of a target and
    // then wants a second controller, which needs a PCI slot q35's root
    // complex does not have while the VM runs.
    std::string address;
    if (d.targetDev.size() == 3 && d.targetDev.rfind("sd", 0) == 0 && d.targetDev[2] >= 'a' && d.targetDev[2] <= 'z')
        address = "  <address type='drive' controller='0' bus='0' target='" + std::to_string(d.targetDev[2] - 'a') +
                  "' unit='0'/>\n";
    return "<disk type='file' device='disk'>\n"
           "  <driver name='qemu' type='raw'/>\n"
           "  <source file='" + e(d.sourceFile) + "'/>\n"
           "  <target dev='" + e(d.targetDev) + "' bus='scsi'/>\n"
           "  <readonly/>\n"
           "  <serial>" + e(d.serial) + "</serial>\n" + address +
           "</disk>\n";
}

std::vector<ImageDisk> imageDisks(const std::string& domainXml)
{
    std::vector<ImageDisk> out;
    auto doc = XmlDocument::parse(domainXml);
    if (!doc)
        return out;
    for (int i = 1;; ++i) {
        std::string at = "/domain/devices/disk[target/@bus='scsi'][" + std::to_string(i) + "]";
        auto dev = doc->text(at + "/target/@dev");
        if (!dev)
            break;
        std::string serial = doc->text(at + "/serial").value_or("");
        if (serial.rfind("pv-", 0) == 0)
            out.push_back({*dev, doc->text(at + "/source/@file").value_or(""), serial});
    }
    return out;
}

std::string freeScsiTarget(const std::string& domainXml)
{
    auto doc = XmlDocument::parse(domainXml);
    for (char c = 'a'; c <= 'z'; ++c) {
        std::string name = std::string("sd") + c;
        if (!doc || !doc->text("/domain/devices/disk/target[@dev='" + name + "']/@dev"))
            return name;
    }
    return "";
}

} // namespace pidvisor::manager
