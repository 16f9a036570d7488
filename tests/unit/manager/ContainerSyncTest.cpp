// The one path by which an agent's containers reach the inventory
// (vm/ContainerSync.h), driven through the front ends' door, Host: a real
// SQLite file, libvirt's test:///default driver for the VM, and an
// in-process agent that answers the real protocol frames from records.
//
// Before Host, `pidvisor container list` and `reconcile` wrote a process
// count of 0 while the GUI's poller wrote the real one, so either CLI
// command wiped what the GUI had stored.
#include "host/Host.h"

#include "../inventory/TestDirectory.h"
#include "TestVmSpec.h"

#include "protocol/Commands.h"
#include "protocol/Frame.h"
#include "protocol/Message.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <condition_variable>

using namespace pidvisor;
using namespace pidvisor::manager;
namespace command = protocol::command;

namespace {

// What the in-process agent knows, and which commands it was asked.
struct AgentScript {
    std::mutex mutex;
    std::vector<protocol::ContainerInfo> containers;
    std::map<std::string, std::vector<protocol::Process>> processes;
    std::vector<std::string> asked;
};

// An agent on the other end of the byte stream: each request frame
// written is answered with the record the protocol declares for it.
class ScriptedAgent final : public AgentTransport {
public:
    explicit ScriptedAgent(std::shared_ptr<AgentScript> script) : m_script(std::move(script)) {}

    Status write(std::string_view bytes) override
    {
        m_reader.feed(bytes);
        while (auto frame = m_reader.next()) {
            if (!*frame)
                continue;
            auto request = protocol::parseRequest(std::move(**frame));
            if (!request)
                continue;
            auto answer = protocol::encodeFrame(respond(*request));
            std::lock_guard lock(m_mutex);
            m_out += *answer;
            m_readable.notify_all();
        }
        return {};
    }

    Result<std::string> read(std::chrono::milliseconds timeout) override
    {
        std::unique_lock lock(m_mutex);
        m_readable.wait_for(lock, timeout, [&] { return !m_out.empty() || m_ended; });
        if (!m_out.empty())
            return std::exchange(m_out, {});
        if (m_ended)
            return fail(ErrorCode::Unavailable, "the scripted agent's stream ended");
        return std::string{};
    }

    std::string describe() const override { return "scripted agent"; }

    void interrupt() override
    {
        std::lock_guard lock(m_mutex);
        m_ended = true;
        m_readable.notify_all();
    }

private:
    protocol::Frame respond(const protocol::Request& r)
    {
        std::lock_guard lock(m_script->mutex);
        m_script->asked.push_back(r.cmd);
        if (r.cmd == command::kSync.name) {
            protocol::SyncResult synced{r.args.value("nonce", ""), "i1"};
            return protocol::makeResponse(r.id, protocol::encode(synced));
        }
        if (r.cmd == command::kHello.name) {
            protocol::HelloResult hello;
            hello.protocol = protocol::kProtocolVersion;
            hello.instance = "i1";
            hello.agentVersion = "scripted";
            return protocol::makeResponse(r.id, protocol::encode(hello));
        }
        if (r.cmd == command::kContainerList.name)
            return protocol::makeResponse(r.id, protocol::encode(protocol::ContainerListResult{m_script->containers}));
        if (r.cmd == command::kContainerPs.name) {
            protocol::ContainerPsResult ps{r.args.value("name", ""), {}};
            ps.processes = m_script->processes[ps.name];
            return protocol::makeResponse(r.id, protocol::encode(ps));
        }
        return protocol::makeErrorResponse(r.id, Error{ErrorCode::Unsupported, "not scripted: " + r.cmd});
    }

    std::shared_ptr<AgentScript> m_script;
    protocol::FrameReader m_reader;
    std::mutex m_mutex;
    std::condition_variable m_readable;
    std::string m_out;
    bool m_ended = false;
};

protocol::ContainerInfo container(const std::string& name, protocol::ContainerState state, std::int32_t initPid)
{
    protocol::ContainerInfo c;
    c.name = name;
    c.state = state;
    c.initPid = initPid;
    c.spec.name = name;
    c.spec.argv = {"/bin/sh", "-c", "sleep 1000 & sleep 1000"};
    return c;
}

protocol::Process process(std::int32_t vpid, std::int32_t pid)
{
    return protocol::Process{vpid, pid, vpid == 1 ? 0 : 1, "sleep", "S", "sleep 1000"};
}

class ContainerSync : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto inv = Inventory::open(m_dir.file());
        ASSERT_TRUE(inv) << inv.error().message;
        m_inventory = std::make_unique<Inventory>(std::move(*inv));
        auto host = Host::open(*m_inventory, "test:///default", Paths::defaults(m_dir.file()));
        ASSERT_TRUE(host) << host.error().message;
        m_host = std::move(*host);
        m_host->vms().overrideAgentTransport(
            [script = m_script](const std::string&) -> Result<std::unique_ptr<AgentTransport>> {
                return std::make_unique<ScriptedAgent>(script);
            });
        m_vm = "sync" + std::to_string(::getpid());
        auto dom = m_host->connection().define(buildDomainXml(test::testVmSpec(m_vm, 1)));
        ASSERT_TRUE(dom) << dom.error().message;
        ASSERT_TRUE(m_host->connection().start(dom->get()));
        auto adopted = m_host->vms().reconcile(false);
        ASSERT_TRUE(adopted) << adopted.error().message;
        ASSERT_EQ(adopted->adopted, std::vector<std::string>{m_vm});

        m_script->containers = {container("web", protocol::ContainerState::Running, 231),
                                container("old", protocol::ContainerState::Stopped, 0)};
        m_script->processes["web"] = {process(1, 231), process(2, 232)};
    }

    void TearDown() override
    {
        if (!m_host)
            return;
        if (auto dom = m_host->connection().lookup(m_vm)) {
            (void)m_host->connection().destroy(dom->get());
            (void)m_host->connection().undefine(dom->get());
        }
    }

    // The inventory's rows for the VM, by name.
    std::map<std::string, ContainerRecord> rows()
    {
        std::map<std::string, ContainerRecord> out;
        auto vm = m_host->vms().record(m_vm);
        EXPECT_TRUE(vm) << vm.error().message;
        if (!vm)
            return out;
        auto listed = m_inventory->containers(vm->id);
        EXPECT_TRUE(listed) << listed.error().message;
        for (auto& c : listed.value_or(std::vector<ContainerRecord>{}))
            out[c.name] = c;
        return out;
    }

    std::vector<std::string> asked()
    {
        std::lock_guard lock(m_script->mutex);
        return std::exchange(m_script->asked, {});
    }

    test::TestDirectory m_dir;
    std::unique_ptr<Inventory> m_inventory;
    std::unique_ptr<Host> m_host;
    std::shared_ptr<AgentScript> m_script = std::make_shared<AgentScript>();
    std::string m_vm;
};

} // namespace

TEST_F(ContainerSync, CliListStoresTheProcessCountTheAgentReports)
{
    auto listed = m_host->containers().list(m_vm);
    ASSERT_TRUE(listed) << listed.error().message;
    ASSERT_EQ(listed->size(), 2u);
    auto r = rows();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r["web"].processCount, 2) << "container list wrote another count than the agent's";
    EXPECT_EQ(r["web"].initPid, 231);
    EXPECT_EQ(r["old"].processCount, 0);
    EXPECT_EQ(r["old"].state, ContainerState::Stopped);
}

TEST_F(ContainerSync, ReconcileAfterAPollKeepsTheProcessCount)
{
    auto poll = m_host->pollAgent(m_vm, std::chrono::seconds(5));
    ASSERT_TRUE(poll) << poll.error().message;
    ASSERT_TRUE(poll->listing) << poll->listing.error().message;
    EXPECT_EQ(poll->hello.agentVersion, "scripted");
    EXPECT_EQ(poll->listing->processes.at("web").size(), 2u);
    EXPECT_EQ(rows()["web"].processCount, 2);

    auto report = m_host->vms().reconcile(true);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->refreshed, std::vector<std::string>{m_vm});
    EXPECT_TRUE(report->problems.empty()) << report->problems.front();
    EXPECT_EQ(rows()["web"].processCount, 2) << "reconcile wiped the process count the poll stored";
}

TEST_F(ContainerSync, AsksProcessesOfRunningContainersOnly)
{
    (void)asked();
    ASSERT_TRUE(m_host->containers().list(m_vm));
    std::vector<std::string> commands = asked();
    auto ps = std::count(commands.begin(), commands.end(), std::string(command::kContainerPs.name));
    EXPECT_EQ(ps, 1) << "container-ps asked for a stopped container, or not for the running one";
}

TEST_F(ContainerSync, FollowsTheAgentWhenContainersChange)
{
    ASSERT_TRUE(m_host->containers().list(m_vm));
    {
        std::lock_guard lock(m_script->mutex);
        m_script->containers = {container("web", protocol::ContainerState::Stopped, 0)};
        m_script->processes.clear();
    }
    auto poll = m_host->pollAgent(m_vm, std::chrono::seconds(5));
    ASSERT_TRUE(poll) << poll.error().message;
    auto r = rows();
    ASSERT_EQ(r.size(), 1u) << "a container the agent no longer has stayed in the inventory";
    EXPECT_EQ(r["web"].state, ContainerState::Stopped);
    EXPECT_EQ(r["web"].processCount, 0);
}

TEST_F(ContainerSync, AVmHeldExclusivelyIsBusyForLogs)
{
    auto lease = m_host->leases().acquire(m_vm, true);
    auto logs = m_host->containerLogs(m_vm, "web", 1024, std::chrono::seconds(1));
    ASSERT_FALSE(logs);
    EXPECT_EQ(logs.error().code, ErrorCode::FailedPrecondition);
    EXPECT_EQ(logs.error().message, "VM '" + m_vm + "' is busy with an operation");
}
