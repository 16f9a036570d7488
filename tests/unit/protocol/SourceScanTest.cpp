// The protocol is spelled in one place: no source outside
// guestagent/protocol/ names a command in a string literal or builds a
// request frame itself; front ends use the typed calls (AgentCalls).
#include "protocol/Commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace pidvisor::protocol;
namespace fs = std::filesystem;

namespace {

std::vector<std::pair<std::string, std::string>> sources(bool withProtocol = false)
{
    std::vector<std::pair<std::string, std::string>> out;
    fs::path root(PIDVISOR_SOURCE_DIR);
    for (const char* dir : {"guestagent", "manager", "gui"})
        for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
            auto ext = e.path().extension();
            if (!e.is_regular_file() || (ext != ".cpp" && ext != ".h"))
                continue;
            auto rel = fs::relative(e.path(), root).string();
            if (!withProtocol && rel.rfind("guestagent/protocol/", 0) == 0)
                continue;
            std::ifstream in(e.path());
            std::stringstream s;
            s << in.rdbuf();
            out.emplace_back(rel, s.str());
        }
    return out;
}

} // namespace

TEST(SourceScan, NoCommandNameOutsideTheProtocol)
{
    auto files = sources();
    ASSERT_GT(files.size(), 50u) << "source tree not found at " << PIDVISOR_SOURCE_DIR;
    for (const auto& name : commandNames())
        for (const auto& [path, text] : files)
            EXPECT_EQ(text.find("\"" + name + "\""), std::string::npos) << path << " spells \"" << name << "\"";
}

TEST(SourceScan, NoHandBuiltRequestsOutsideTheProtocol)
{
    for (const auto& [path, text] : sources()) {
        // The two clients frame what AgentCalls encoded (sendRequest).
        bool transport = path == "manager/agent/AgentClient.cpp" || path == "guestagent/cli/AgentClient.cpp";
        if (!transport) {
            EXPECT_EQ(text.find("makeRequest("), std::string::npos) << path << " builds a request frame itself";
        }
        EXPECT_EQ(text.find("->call("), std::string::npos) << path << " sends an untyped request";
        EXPECT_EQ(text.find(".call("), std::string::npos) << path << " sends an untyped request";
        EXPECT_EQ(text.find("namespace cmd"), std::string::npos) << path << " uses the old command names";
    }
}

// VM, container and operation states are enums (protocol/States.h,
// manager/core/States.h) converted to and from their words in one place
// each; a comparison with, or an assignment of, a state word is a decision
// made on text.
TEST(SourceScan, NoStateDecidedOnItsWord)
{
    const char* words[] = {"running", "shut off", "stopped", "paused", "crashed", "checkpointed", "creating",
                           "ok",      "error",    "cancelled"};
    for (const auto& [path, text] : sources(true))
        for (const char* word : words)
            for (const char* op : {"== \"", "!= \"", " = \""})
                EXPECT_EQ(text.find(op + std::string(word) + "\""), std::string::npos)
                    << path << " decides on the word \"" << word << "\"";
}
