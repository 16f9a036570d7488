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
