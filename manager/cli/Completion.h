// Completion: what the shell may offer for the word being typed on a
// `pidvisor` command line. The bash script (packaging/completion/pidvisor)
// calls the hidden `pidvisor __complete WORD...` with the words typed so
// far, the last one being the (possibly empty) word under the cursor; it
// prints one candidate per line.
//
// The command tree comes from the CLI11 definitions themselves, so a new
// command or option completes without touching the script. Names come from
// the inventory (the one given by --db on the line, else the default) and
// only if it exists: completing never creates a file.
//   positional "vm", or "name" under `vm`     VM names
//   positional "name" under `container`       containers of the VM before it
//   positional "checkpoint" or "id"           checkpoint ids
//   --vm, --to                                VM names
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::manager {

// Names the inventory knows, for completing positional values.
struct CompletionNames {
    std::vector<std::string> vms;
    std::vector<std::string> checkpoints;
    // Containers of one VM, looked up when asked.
    std::function<std::vector<std::string>(const std::string& vm)> containers;
};

// Reads the names from the inventory at `db` (default path when unset);
// empty lists when it does not exist or cannot be read.
[[nodiscard]] CompletionNames inventoryNames(const std::optional<std::string>& db);

// Candidates for the last of `words` (the words after the program name).
// `names` is called at most once, only when names are wanted.
[[nodiscard]] std::vector<std::string>
completeWords(const CLI::App& app, const std::vector<std::string>& words,
              const std::function<CompletionNames(const std::optional<std::string>& db)>& names);

// Adds the hidden `__complete` command to `app`.
void addCompleteCommand(CLI::App& app);

} // namespace pidvisor::manager
