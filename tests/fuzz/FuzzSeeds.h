// Seed corpora, written by the harnesses themselves so they follow the
// command table: with PIDVISOR_FUZZ_SEEDS=DIR (and PIDVISOR_FUZZ_GOLDEN=the
// protocol's golden examples) a harness writes its seeds into DIR and exits
// instead of fuzzing (run-fuzzer.sh does this first).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

namespace pidvisor::fuzz {

// Every golden example: command name -> {"args": ..., "result": ...}.
inline std::map<std::string, nlohmann::json> goldenExamples()
{
    std::map<std::string, nlohmann::json> out;
    const char* dir = std::getenv("PIDVISOR_FUZZ_GOLDEN");
    if (!dir)
        return out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".json")
            continue;
        std::ifstream in(e.path());
        out[e.path().stem().string()] = nlohmann::json::parse(in);
    }
    return out;
}

using SeedWriter = std::function<void(const std::string& bytes)>;

// When asked for seeds: calls make(write) and exits; otherwise returns.
inline void writeSeedsIfAsked(const std::function<void(const SeedWriter&)>& make)
{
    const char* dir = std::getenv("PIDVISOR_FUZZ_SEEDS");
    if (!dir)
        return;
    std::filesystem::create_directories(dir);
    int n = 0;
    make([&](const std::string& bytes) {
        std::ofstream(std::filesystem::path(dir) / ("seed-" + std::to_string(n++)), std::ios::binary) << bytes;
    });
    std::exit(n > 0 ? 0 : 1);
}

} // namespace pidvisor::fuzz
