// pidvisor-agent: the daemon and in-guest CLI; all logic lives in the
// daemon/ and cli/ libraries.
#include "cli/AgentCli.h"

int main(int argc, char** argv)
{
    return pidvisor::agent::runAgentCli(argc, argv);
}
