// pidvisor: the host CLI; all logic lives in the manager library.
#include "cli/Cli.h"

int main(int argc, char** argv)
{
    return pidvisor::manager::runPidvisorCli(argc, argv);
}
