// Fuzzes the checkpoint-file receiver that both the agent (uploads) and the
// manager (what a guest sends) use: a manifest, then data frames, all
// hostile. Whatever arrives, nothing outside the checkpoint directory may be
// created or changed: a canary file and the sandbox's listing are checked
// after every input.
#include "FuzzSeeds.h"

#include "protocol/CheckpointFiles.h"
#include "protocol/CheckpointReceiver.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <unistd.h>

using namespace pidvisor::protocol;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCanaryText = "canary: must stay as it is\n";

struct Sandbox {
    fs::path root;
    fs::path dir;
    fs::path canary;

    Sandbox()
    {
        std::string tmpl = (fs::temp_directory_path() / "pidvisor-fuzz-XXXXXX").string();
        if (!mkdtemp(tmpl.data()))
            std::abort();
        root = tmpl;
        dir = root / "ck";
        canary = root / "canary";
        std::ofstream(canary) << kCanaryText;
    }
    ~Sandbox() { fs::remove_all(root); }

    void reset()
    {
        fs::remove_all(dir);
        fs::create_directory(dir);
    }

    // Only "ck" and the canary, and the canary as written.
    void check() const
    {
        std::set<std::string> names;
        for (const auto& e : fs::directory_iterator(root))
            names.insert(e.path().filename().string());
        if (names != std::set<std::string>{"canary", "ck"})
            std::abort();
        std::ifstream in(canary);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        if (text != kCanaryText || fs::is_symlink(canary))
            std::abort();
    }
};

Sandbox& sandbox()
{
    static Sandbox s;
    return s;
}

} // namespace

// Seeds: a real small checkpoint (two files in two directories and a
// symlink) as the sender sends it, whole and with its last frame cut.
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    pidvisor::fuzz::writeSeedsIfAsked([](const pidvisor::fuzz::SeedWriter& write) {
        Sandbox& box = sandbox();
        box.reset();
        fs::create_directories(box.dir / "images");
        std::ofstream(box.dir / "images" / "pages-1.img") << std::string(5000, 'p');
        std::ofstream(box.dir / "rootfs.tar") << "tar bytes";
        fs::create_symlink("pages-1.img", box.dir / "images" / "pages.lnk");
        auto files = scanCheckpoint(box.dir.string());
        if (!files)
            std::abort();
        std::string frames;
        auto sent = sendCheckpointFiles(box.dir.string(), *files,
                                        [&](nlohmann::json header, std::string_view payload) -> pidvisor::Status {
                                            PV_TRY(std::string bytes, encodeFrame(Frame{std::move(header), std::string(payload)}));
                                            frames += bytes;
                                            return {};
                                        });
        if (!sent)
            std::abort();
        const std::string manifest = nlohmann::json{{"files", filesToJson(*files)}}.dump();
        write(manifest + std::string(1, '\0') + frames);
        write(manifest + std::string(1, '\0') + frames.substr(0, frames.size() - 10));
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // manifest JSON, a NUL, then the byte stream of data frames.
    const auto* end = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
    if (!end)
        return 0;
    auto manifest = nlohmann::json::parse(data, end, nullptr, false);
    if (manifest.is_discarded())
        return 0;
    auto files = filesFromManifest(manifest);
    if (!files)
        return 0;
    Sandbox& box = sandbox();
    box.reset();
    {
        auto receiver = CheckpointReceiver::open(box.dir.string(), *files);
        if (!receiver)
            return 0;
        FrameReader reader;
        reader.feed(std::string_view(reinterpret_cast<const char*>(end + 1), size - (end + 1 - data)));
        while (auto frame = reader.next()) {
            if (!*frame)
                continue;
            (void)(*receiver)->accept(**frame);
        }
        (void)(*receiver)->complete();
    }
    box.check();
    return 0;
}
