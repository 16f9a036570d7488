// ContainerAddresses: the range read from a libvirt network's XML, the
// address picked (above the DHCP range first), the MAC derived from it,
// and allocation against a real inventory (SQLite in memory) on a network
// of libvirt's in-memory test:///default driver, made by the manager's own
// ensureNetwork.
#include "TestDriverFixture.h"
#include "vm/ContainerAddresses.h"

#include "libvirt/Networks.h"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace pidvisor;
using namespace pidvisor::manager;

namespace {

const char* kXml = R"(<network>
  <name>lab</name>
  <forward mode='nat'/>
  <bridge name='virbr9'/>
  <ip address='10.83.0.1' netmask='255.255.255.0'>
    <dhcp><range start='10.83.0.2' end='10.83.0.127'/></dhcp>
  </ip>
</network>)";

std::uint32_t quad(const std::string& text)
{
    return parseDottedQuad(text).value();
}

TEST(ContainerAddressesRange, FromANetworksXmlItsAddressPrefixAndDhcpRange)
{
    auto r = parseNetworkRange("lab", kXml);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(dottedQuad(r->gateway), "10.83.0.1");
    EXPECT_EQ(r->prefix, 24);
    EXPECT_EQ(dottedQuad(r->dhcpStart), "10.83.0.2");
    EXPECT_EQ(dottedQuad(r->dhcpEnd), "10.83.0.127");
    EXPECT_TRUE(r->contains(quad("10.83.0.254")));
    EXPECT_FALSE(r->contains(quad("10.83.0.255"))); // broadcast
    EXPECT_FALSE(r->contains(quad("10.84.0.5")));
    auto none = parseNetworkRange("l2", "<network><name>l2</name><bridge name='br0'/></network>");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::FailedPrecondition);
}

TEST(ContainerAddressesPick, AboveTheDhcpRangeFirstThenBelowItThenTheTopOfIt)
{
    NetworkRange r = parseNetworkRange("lab", kXml).value();
    EXPECT_EQ(dottedQuad(pickAddress(r, {}).value()), "10.83.0.128");
    EXPECT_EQ(dottedQuad(pickAddress(r, {quad("10.83.0.128")}).value()), "10.83.0.129");
    std::set<std::uint32_t> above;
    for (int i = 128; i <= 254; ++i)
        above.insert(quad("10.83.0." + std::to_string(i)));
    // Nothing below .2 but the gateway: then the top of the DHCP range.
    EXPECT_EQ(dottedQuad(pickAddress(r, above).value()), "10.83.0.127");
    std::set<std::uint32_t> all = above;
    for (int i = 2; i <= 127; ++i)
        all.insert(quad("10.83.0." + std::to_string(i)));
    EXPECT_FALSE(pickAddress(r, all));
}

TEST(ContainerAddressesPick, TheMacCarriesTheAddressesLow24BitsAndGatewayAndDnsAreTheNetwork)
{
    NetworkRange r = parseNetworkRange("lab", kXml).value();
    EXPECT_EQ(macForAddress(quad("10.83.0.130")), "02:70:76:53:00:82");
    protocol::ContainerNetwork n = containerNetworkFor(r, quad("10.83.0.130"));
    EXPECT_EQ(n.address, "10.83.0.130/24");
    EXPECT_EQ(n.mac, "02:70:76:53:00:82");
    EXPECT_EQ(n.gateway, std::optional<std::string>("10.83.0.1"));
    ASSERT_EQ(n.dns.size(), 1u);
    EXPECT_EQ(n.dns[0], "10.83.0.1");
    EXPECT_EQ(n.libvirtNetwork, std::optional<std::string>("lab"));
}

class ContainerAddressesAllocate : public test::TestDriverFixture {
protected:
    void SetUp() override
    {
        TestDriverFixture::SetUp();
        if (HasFatalFailure())
            return;
        NetworkSettings settings;
        settings.name = m_network;
        settings.subnet = "10.77.0.0/24";
        settings.isolated = true;
        auto made = ensureNetwork(*m_conn, m_network, settings);
        ASSERT_TRUE(made) << made.error().message;
        auto host = m_inventory->ensureHost("test:///default", "test");
        ASSERT_TRUE(host) << host.error().message;
        m_vm.hostId = host->id;
        m_vm.name = "vm1";
        auto id = m_inventory->insertVm(m_vm);
        ASSERT_TRUE(id) << id.error().message;
        m_vm.id = *id;
    }

    std::string m_network = "pvtest" + std::to_string(::getpid());
    VmRecord m_vm;
};

TEST_F(ContainerAddressesAllocate, PidvisorsNetworksForwardFromANewPortAtOnce)
{
    auto xml = activeNetworkXml(*m_conn, m_network);
    ASSERT_TRUE(xml) << xml.error().message;
    EXPECT_NE(xml->find("stp='off'"), std::string::npos) << *xml;
    // Addresses of removed VMs come back in minutes, not an hour.
    EXPECT_NE(xml->find("<lease expiry='10' unit='minutes'/>"), std::string::npos) << *xml;
}

TEST_F(ContainerAddressesAllocate, GivesEachContainerItsOwnAndSkipsWhatTheNetworkAnsweredFor)
{
    ContainerAddresses a(*m_inventory, *m_conn);
    auto first = a.allocate(m_vm, m_network, "web1", "");
    ASSERT_TRUE(first && *first) << (first ? "none" : first.error().message);
    // Pidvisor's networks lease the lower half: containers start above it.
    EXPECT_EQ((*first)->address, "10.77.0.128/24");
    auto second = a.allocate(m_vm, m_network, "web2", "");
    ASSERT_TRUE(second && *second);
    EXPECT_EQ((*second)->address, "10.77.0.129/24");
    // Addresses something else on the network answered for are passed over.
    auto third = a.allocate(m_vm, m_network, "web3", "", {"10.77.0.130", "10.77.0.131"});
    ASSERT_TRUE(third && *third);
    EXPECT_EQ((*third)->address, "10.77.0.132/24");
    // Asked for by address: a taken one names its holder.
    auto taken = a.allocate(m_vm, m_network, "web4", "10.77.0.128");
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(taken.error().message.find("taken by container 'web1'"), std::string::npos) << taken.error().message;
    // Released: given out again.
    a.release(m_vm, "web2");
    auto again = a.allocate(m_vm, m_network, "web5", "");
    ASSERT_TRUE(again && *again);
    EXPECT_EQ((*again)->address, "10.77.0.129/24");
    // A VM without a network: none, and an address asked for is refused.
    auto none = a.allocate(m_vm, "", "lo", "");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    EXPECT_FALSE(a.allocate(m_vm, "", "lo", "10.77.0.140"));
}

} // namespace
