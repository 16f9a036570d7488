// Image import cost: `pidvisor image import`'s work (ImageService: outer
// archive, digest checks, layers with whiteouts, the erofs volume) on an
// OCI archive of about 100 MiB in two gzip layers, against plain GNU
// `tar -xzf` of the same two layer blobs into an empty directory, in the
// same run, interleaved. The import alone (without packing) is reported
// too, so the volume's share is visible.
//
//   bench_image_import [iterations] [MiB]     (root: owners are kept)
#include "BenchStats.h"

#include "../unit/inventory/TestDirectory.h"
#include "../unit/manager/ImageArchiveBuilder.h"

#include "images/ImageService.h"
#include "images/OciImport.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <cstring>
#include <random>

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::bench;
namespace fs = std::filesystem;

namespace {

// Files like a distribution's: many small, some large, partly compressible.
std::vector<test::TarEntry> layerFiles(const std::string& dir, std::size_t bytes, std::mt19937& rng)
{
    std::vector<test::TarEntry> entries{test::dir(dir)};
    std::size_t made = 0;
    for (int i = 0; made < bytes; ++i) {
        std::size_t size = (i % 10 == 0) ? (1u << 20) : (4096u + rng() % 60000);
        std::string data(size, '\0');
        for (std::size_t j = 0; j < size; j += 8) {
            std::uint64_t word = (j / 8) % 3 == 0 ? rng() : 0x2020202020202020ull; // a third random
            std::memcpy(&data[j], &word, std::min<std::size_t>(8, size - j));
        }
        entries.push_back(test::file(dir + "/f" + std::to_string(i), std::move(data)));
        made += size;
    }
    return entries;
}

int run(const std::string& cmd)
{
    return std::system(cmd.c_str());
}

} // namespace

int main(int argc, char** argv)
{
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_image_import: needs root (file owners are kept)\n");
        return 77;
    }
    int iterations = argc > 1 ? std::atoi(argv[1]) : 5;
    std::size_t mib = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100;
    test::TestDirectory dir;
    std::mt19937 rng(42);
    test::ImageArchiveBuilder b;
    b.layer(layerFiles("usr", mib * (1u << 20) * 7 / 10, rng), true);
    b.layer(layerFiles("srv", mib * (1u << 20) * 3 / 10, rng), true);
    fs::path archive = dir.path() / "bench.oci.tar";
    b.writeOci(archive);
    // The layer blobs on their own, for tar.
    fs::path blobs = dir.path() / "blobs";
    fs::create_directories(blobs);
    if (run("tar -xf " + archive.string() + " -C " + blobs.string() + " blobs") != 0)
        return 1;
    std::vector<std::string> layers;
    for (const auto& e : fs::directory_iterator(blobs / "blobs/sha256"))
        if (fs::file_size(e.path()) > (1u << 20))
            layers.push_back(e.path().string());
    std::printf("image import: %s, %.1f MiB archive, %zu layers, %d iterations\n", archive.filename().c_str(),
                double(fs::file_size(archive)) / (1 << 20), layers.size(), iterations);

    auto inventory = Inventory::open(dir.file());
    if (!inventory)
        return 1;
    Paths paths;
    paths.images = (dir.path() / "images").string();
    std::vector<double> tarMs, importMs, serviceMs, ratios, serviceRatios;
    for (int i = 0; i < iterations; ++i) {
        fs::path out = dir.path() / "tar-out";
        fs::remove_all(out);
        fs::create_directories(out);
        auto t0 = Clock::now();
        for (const auto& layer : layers)
            if (run("tar -xzf " + layer + " -C " + out.string()) != 0)
                return 1;
        tarMs.push_back(millisSince(t0));

        ImageStaging staging{dir.path() / "staging"};
        fs::remove_all(staging.dir);
        t0 = Clock::now();
        auto info = importImageArchive(archive, staging, std::string("bench"), {});
        importMs.push_back(millisSince(t0));
        if (!info) {
            std::fprintf(stderr, "%s\n", info.error().describe().c_str());
            return 1;
        }

        ImageService service(*inventory, paths);
        (void)service.remove("bench");
        t0 = Clock::now();
        auto record = service.importArchive(archive.string(), std::string("bench"), {});
        serviceMs.push_back(millisSince(t0));
        if (!record) {
            std::fprintf(stderr, "%s\n", record.error().describe().c_str());
            return 1;
        }
        ratios.push_back(importMs.back() / tarMs.back());
        serviceRatios.push_back(serviceMs.back() / tarMs.back());
    }
    printRow("tar -xzf of the layers (baseline)", summarize(tarMs));
    printRow("import: verify + unpack (no volume)", summarize(importMs));
    printRow("image import (unpack + erofs volume)", summarize(serviceMs));
    Summary r = summarize(ratios), s = summarize(serviceRatios);
    std::printf("  ratio unpack/tar      median %.2f  (p10 %.2f, p90 %.2f)\n", r.median, r.p10, r.p90);
    std::printf("  ratio import/tar      median %.2f  (p10 %.2f, p90 %.2f)\n", s.median, s.p10, s.p90);
    return 0;
}
