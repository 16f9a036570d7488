// Domain XML against reviewed golden files. Regenerate them with
// PIDVISOR_UPDATE_GOLDEN=1 and review the diff by hand.
#include "vm/DomainXml.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace pidvisor;
using namespace pidvisor::manager;

namespace {

VmSpec baseSpec()
{
    VmSpec s;
    s.name = "demo";
    s.domainType = "qemu";
    s.accel = "tcg";
    s.memoryMiB = 512;
    s.vcpus = 2;
    s.kernelPath = "/var/lib/pidvisor/pool/image-abc-kernel";
    s.initrdPath = "/var/lib/pidvisor/pool/image-abc-initrd";
    s.cmdline = "console=ttyS0 panic=-1 pidvisor.hostname=demo";
    s.consoleLogPath = "/var/lib/pidvisor/pool/demo-console.log";
    s.inventoryId = 7;
    s.imageId = "abc";
    s.kernel = "stock";
    s.created = "2026-11-29T10:00:00Z";
    return s;
}

void checkGolden(const std::string& name, const std::string& actual)
{
    std::string path = std::string(PIDVISOR_GOLDEN_DIR) + "/" + name;
    if (std::getenv("PIDVISOR_UPDATE_GOLDEN")) {
        std::ofstream(path) << actual;
        GTEST_SKIP() << "golden file " << path << " regenerated: review it";
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << "missing golden file " << path << " (run with PIDVISOR_UPDATE_GOLDEN=1)";
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(actual, expected.str()) << "domain XML changed; if intended, regenerate " << path;
}

} // namespace

TEST(DomainXml, TcgWithoutDisk)
{
    checkGolden("domain-tcg.xml", buildDomainXml(baseSpec()));
}

TEST(DomainXml, KvmWithDataDisk)
{
    VmSpec s = baseSpec();
    s.domainType = "kvm";
    s.accel = "kvm";
    s.kernel = "container";
    s.dataDiskPath = "/var/lib/pidvisor/pool/demo-data.qcow2";
    s.network = "pidvisor";
    checkGolden("domain-kvm-disk.xml", buildDomainXml(s));
}

TEST(DomainXml, EscapesEverythingThatComesFromOutside)
{
    VmSpec s = baseSpec();
    s.cmdline = "a<b & c='d'";
    s.kernelPath = "/path/with'quote";
    std::string xml = buildDomainXml(s);
    EXPECT_NE(xml.find("a&lt;b &amp; c=&apos;d&apos;"), std::string::npos);
    EXPECT_NE(xml.find("/path/with&apos;quote"), std::string::npos);
    EXPECT_TRUE(readDomainFacts(xml)) << "escaped XML must still parse";
}

TEST(DomainXml, FactsReadBack)
{
    VmSpec s = baseSpec();
    s.dataDiskPath = "/d.qcow2";
    auto facts = readDomainFacts(buildDomainXml(s));
    ASSERT_TRUE(facts) << facts.error().message;
    EXPECT_EQ(facts->domainType, "qemu");
    EXPECT_EQ(facts->memoryMiB, 512);
    EXPECT_EQ(facts->vcpus, 2);
    EXPECT_EQ(facts->consoleLogPath, s.consoleLogPath);
    EXPECT_EQ(facts->dataDiskPath, "/d.qcow2");
    EXPECT_EQ(facts->network, "") << "no network, no interface";
    s.network = "lab's <net>";
    std::string xml = buildDomainXml(s);
    EXPECT_NE(xml.find("<source network='lab&apos;s &lt;net&gt;'/>"), std::string::npos) << xml;
    facts = readDomainFacts(xml);
    ASSERT_TRUE(facts) << facts.error().message;
    EXPECT_EQ(facts->network, "lab's <net>");
}

TEST(DomainXml, MetadataAsLibvirtReturnsIt)
{
    // virDomainGetMetadata re-roots the element with its own namespace prefix.
    std::string meta = "<pv:vm xmlns:pv=\"https://pidvisor.dev/xmlns/vm/1\"><pv:inventory-id>12</pv:inventory-id>"
                       "<pv:image>h</pv:image><pv:kernel>container</pv:kernel><pv:accel>tcg</pv:accel>"
                       "<pv:created>t</pv:created></pv:vm>";
    auto m = parseMetadata(meta);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->inventoryId, 12);
    EXPECT_EQ(m->imageId, "h");
    EXPECT_EQ(m->kernel, "container");
    EXPECT_EQ(m->accel, "tcg");
    EXPECT_FALSE(parseMetadata("<other/>"));
    EXPECT_FALSE(parseMetadata("not xml"));
    EXPECT_EQ(parseMetadata("<vm><inventory-id>x</inventory-id></vm>").error().code, ErrorCode::InvalidArgument);
}

TEST(DomainXml, AgentSocketFromLiveXml)
{
    std::string live = "<domain><devices><channel type='unix'><source mode='bind' path='/run/x/org.pidvisor.agent.0'/>"
                       "<target type='virtio' name='org.pidvisor.agent.0' state='connected'/></channel>"
                       "<channel type='unix'><source mode='bind' path='/other'/><target type='virtio' name='org.qemu.guest_agent.0'/>"
                       "</channel></devices></domain>";
    EXPECT_EQ(agentSocketPath(live), "/run/x/org.pidvisor.agent.0");
    EXPECT_FALSE(agentSocketPath("<domain/>"));
}

// Image disks: built, found again in a domain's XML by their serial, and
// the next free sdX name.
TEST(DomainXml, ImageDisksRoundTrip)
{
    const std::string digest = "sha256:0123456789abcdef" + std::string(48, 'e');
    EXPECT_EQ(imageDiskSerial(digest), "pv-0123456789abcdef");
    ImageDisk disk{"sdb", "/var/lib/pool/ctimage-x'<y.erofs", imageDiskSerial(digest)};
    std::string diskXml = buildImageDiskXml(disk);
    EXPECT_NE(diskXml.find("<readonly/>"), std::string::npos);
    EXPECT_NE(diskXml.find("bus='scsi'"), std::string::npos);
    EXPECT_NE(diskXml.find("<address type='drive' controller='0' bus='0' target='1' unit='0'/>"), std::string::npos)
        << "sdb is target 1 of the one controller: " << diskXml;
    EXPECT_EQ(diskXml.find("x'<y"), std::string::npos) << "the file name is escaped";

    std::string domain = buildDomainXml(baseSpec());
    EXPECT_TRUE(imageDisks(domain).empty());
    EXPECT_EQ(freeScsiTarget(domain), "sda");
    // A disk without our serial (the user's own) is not an image disk, but
    // its name is taken.
    std::string other = "<disk type='file' device='disk'><source file='/x.img'/><target dev='sda' bus='scsi'/></disk>";
    std::string withDisks = domain;
    withDisks.insert(withDisks.find("</devices>"), other + diskXml);
    auto found = imageDisks(withDisks);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].targetDev, "sdb");
    EXPECT_EQ(found[0].serial, disk.serial);
    EXPECT_EQ(found[0].sourceFile, disk.sourceFile);
    EXPECT_EQ(freeScsiTarget(withDisks), "sdc");
    std::string full = domain;
    for (char c = 'a'; c <= 'z'; ++c)
        full.insert(full.find("</devices>"), "<disk type='file' device='disk'><target dev='sd" + std::string(1, c) +
                                                 "' bus='scsi'/></disk>");
    EXPECT_EQ(freeScsiTarget(full), "");
}
