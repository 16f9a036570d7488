// pidvisor-agent: the daemon and in-guest CLI; all logic lives in the
// daemon/ and cli/ libraries.
#include "cli/AgentCli.h"
#include "daemon/CpuTuning.h"

#include <string_view>

int main(int argc, char** argv)
{
    // Only the daemon hashes checkpoints.
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "serve") {
            pidvisor::agent::tuneOpenSslForTcg(argv);
            break;
        }
    return pidvisor::agent::runAgentCli(argc, argv);
}
