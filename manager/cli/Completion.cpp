#include "Completion.h"

#include "Commands.h"

#include "inventory/Inventory.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

namespace pidvisor::manager {

namespace {

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

// The option of `app` or of a parent (CLI11's fallthrough) named `word`.
const CLI::Option* findOption(const CLI::App* app, const std::string& word)
{
    for (; app; app = app->get_parent())
        for (const CLI::Option* opt : app->get_options())
            if (!opt->get_positional() && opt->check_name(word))
                return opt;
    return nullptr;
}

bool takesValue(const CLI::Option* opt)
{
    return opt && opt->get_type_size_max() > 0 && opt->get_expected_max() > 0;
}

const CLI::App* findSubcommand(const CLI::App* app, const std::string& word)
{
    for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; }))
        if (sub->get_name() == word)
            return sub;
    return nullptr;
}

std::vector<const CLI::Option*> positionals(const CLI::App* app)
{
    std::vector<const CLI::Option*> out;
    for (const CLI::Option* opt : app->get_options())
        if (opt->get_positional())
            out.push_back(opt);
    return out;
}

bool hidden(const CLI::App* sub)
{
    return sub->get_group().empty();
}

struct Walk {
    const CLI::App* app;
    std::vector<std::string> values; // positional values given so far
    std::optional<std::string> db;
    const CLI::Option* pendingOption = nullptr; // the last word is its value
};

Walk walk(const CLI::App& root, const std::vector<std::string>& words)
{
    Walk w{&root, {}, std::nullopt, nullptr};
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        const std::string& word = words[i];
        if (word == "--") // the rest is a command inside a VM or container
            return Walk{nullptr, {}, w.db, nullptr};
        if (startsWith(word, "-")) {
            std::string name = word.substr(0, word.find('='));
            const CLI::Option* opt = findOption(w.app, name);
            if (takesValue(opt) && name.size() == word.size()) {
                if (i + 2 == words.size()) {
                    w.pendingOption = opt;
                    return w;
                }
                if (opt->check_name("--db"))
                    w.db = words[i + 1];
                ++i;
            } else if (opt && opt->check_name("--db")) {
                w.db = word.substr(name.size() + 1);
            }
            continue;
        }
        if (const CLI::App* sub = w.values.empty() ? findSubcommand(w.app, word) : nullptr) {
            w.app = sub;
            continue;
        }
        w.values.push_back(word);
    }
    return w;
}

std::vector<std::string> positionalValues(const Walk& w, const CompletionNames& names)
{
    auto slots = positionals(w.app);
    if (w.values.size() >= slots.size())
        return {};
    std::string slot = slots[w.values.size()]->get_name();
    std::string group = w.app->get_parent() ? w.app->get_parent()->get_name() : "";
    if (slot == "vm" || (slot == "name" && group == "vm"))
        return names.vms;
    if (slot == "name" && group == "container" && !w.values.empty() && names.containers)
        return names.containers(w.values.back());
    if (slot == "checkpoint" || slot == "id")
        return names.checkpoints;
    return {};
}

} // namespace

CompletionNames inventoryNames(const std::optional<std::string>& db)
{
    CompletionNames names;
    std::string path = db.value_or(defaultInventoryPath());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return names;
    auto inv = Inventory::open(path);
    if (!inv)
        return names;
    auto shared = std::make_shared<Inventory>(std::move(*inv));
    if (auto vms = shared->vms())
        for (const auto& vm : *vms)
            names.vms.push_back(vm.name);
    if (auto checkpoints = shared->checkpoints())
        for (const auto& c : *checkpoints)
            names.checkpoints.push_back(c.id);
    names.containers = [shared](const std::string& vmName) {
        std::vector<std::string> out;
        auto vms = shared->vms();
        if (!vms)
            return out;
        for (const auto& vm : *vms)
            if (vm.name == vmName)
                if (auto cs = shared->containers(vm.id))
                    for (const auto& c : *cs)
                        out.push_back(c.name);
        return out;
    };
    return names;
}

std::vector<std::string>
completeWords(const CLI::App& app, const std::vector<std::string>& words,
              const std::function<CompletionNames(const std::optional<std::string>& db)>& names)
{
    std::vector<std::string> all{words};
    if (all.empty())
        all.emplace_back();
    const std::string& current = all.back();
    Walk w = walk(app, all);
    std::vector<std::string> candidates;
    if (!w.app)
        return candidates;
    if (w.pendingOption) {
        if (w.pendingOption->check_name("--vm") || w.pendingOption->check_name("--to"))
            candidates = names(w.db).vms;
        else if (w.pendingOption->check_name("--kernel"))
            candidates = {"stock", "container"};
    } else if (startsWith(current, "-")) {
        for (const CLI::App* a = w.app; a; a = a->get_parent())
            for (const CLI::Option* opt : a->get_options())
                if (!opt->get_positional() && !opt->get_group().empty())
                    for (const std::string& n : opt->get_lnames())
                        candidates.push_back("--" + n);
    } else {
        if (w.values.empty())
            for (const CLI::App* sub : w.app->get_subcommands([](const CLI::App*) { return true; }))
                if (!hidden(sub))
                    candidates.push_back(sub->get_name());
        if (!positionals(w.app).empty())
            for (std::string& v : positionalValues(w, names(w.db)))
                candidates.push_back(std::move(v));
    }
    std::vector<std::string> out;
    for (std::string& c : candidates)
        if (startsWith(c, current) && std::find(out.begin(), out.end(), c) == out.end())
            out.push_back(std::move(c));
    return out;
}

void addCompleteCommand(CLI::App& app)
{
    CLI::App* cmd = app.add_subcommand("__complete", "Shell completion: candidates for the last word");
    cmd->group(""); // hidden from --help and the man page
    // Every word after it is the line being completed, options included:
    // no help flag, no falling through to the global options.
    cmd->set_help_flag();
    cmd->fallthrough(false);
    cmd->prefix_command();
    cmd->allow_extras();
    cmd->callback([&app, cmd] {
        std::vector<std::string> words = cmd->remaining();
        for (const std::string& c : completeWords(app, words, inventoryNames))
            std::cout << c << '\n';
        finish(0);
    });
}

} // namespace pidvisor::manager
