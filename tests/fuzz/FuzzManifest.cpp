// Fuzzes the reading of a checkpoint manifest, which comes from a guest (to
// the host) or from an upload (to the agent): its file list is validated
// entry by entry, and what is accepted survives its own JSON round trip.
#include "FuzzSeeds.h"

#include "protocol/CheckpointFiles.h"

#include <cstdlib>

using namespace pidvisor::protocol;

// Seeds: the manifests of the golden examples (a checkpoint's result, an
// upload's arguments).
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    pidvisor::fuzz::writeSeedsIfAsked([](const pidvisor::fuzz::SeedWriter& write) {
        for (const auto& [name, example] : pidvisor::fuzz::goldenExamples()) {
            if (example.contains("result") && example["result"].contains("files"))
                write(example["result"].dump());
            if (example.contains("args") && example["args"].contains("manifest"))
                write(example["args"]["manifest"].dump());
        }
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto manifest = nlohmann::json::parse(data, data + size, nullptr, false);
    if (manifest.is_discarded())
        return 0;
    auto files = filesFromManifest(manifest);
    if (!files) {
        if (files.error().message.empty())
            std::abort();
        return 0;
    }
    for (const auto& f : *files)
        if (!validateCheckpointPath(f.path))
            std::abort(); // an accepted entry has a valid path
    (void)checkpointDigest(*files);
    (void)totalSize(*files);
    auto again = filesFromManifest(nlohmann::json{{"files", filesToJson(*files)}});
    if (!again || again->size() != files->size())
        std::abort();
    for (std::size_t i = 0; i < files->size(); ++i) {
        const auto& a = (*files)[i];
        const auto& b = (*again)[i];
        if (a.path != b.path || a.size != b.size || a.sha256 != b.sha256 || a.symlink != b.symlink)
            std::abort();
    }
    return 0;
}
