#include "GuestImage.h"

#include "core/ChildProcess.h"
#include "inventory/Inventory.h"

#include <chrono>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<Progress> parseProgressLine(const std::string& line)
{
    std::istringstream in(line);
    std::string word;
    int percent = -1;
    if (!(in >> word) || word != "progress" || !(in >> percent))
        return std::nullopt;
    std::string stage;
    std::getline(in >> std::ws, stage);
    return Progress{stage, std::clamp(percent, 0, 100), {}};
}

Result<GuestImage> GuestImage::load(const std::string& dir)
{
    std::ifstream in(dir + "/manifest.json");
    if (!in)
        return fail(ErrorCode::NotFound, "image " + dir + " has no manifest.json");
    json m = json::parse(in, nullptr, false);
    if (m.is_discarded() || !m.is_object())
        return fail(ErrorCode::InvalidArgument, "image manifest " + dir + "/manifest.json is not valid JSON");
    try {
        GuestImage img;
        img.dir = dir;
        img.id = m.at("hash").get<std::string>();
        img.kernelPath = dir + "/kernel";
        img.initrdPath = dir + "/initrd.img";
        img.cmdline = m.value("cmdline", "console=ttyS0");
        const json& k = m.at("kernel");
        img.kernelKind = k.value("kind", "");
        img.kernelVersion = k.value("version", "");
        img.kernelRelease = k.value("release", "");
        img.criuVersion = m.value("criu_version", "");
        img.sizeBytes = m.value("size_bytes", std::int64_t{0});
        img.manifest = std::move(m);
        for (const auto& f : {img.kernelPath, img.initrdPath})
            if (!fs::exists(f))
                return fail(ErrorCode::NotFound, "image " + dir + " lacks " + fs::path(f).filename().string());
        return img;
    } catch (const json::exception& e) {
        return fail(ErrorCode::InvalidArgument, "image manifest " + dir + "/manifest.json: " + e.what());
    }
}

Result<GuestImage> ImageBuilder::build(const std::string& kernel, const ProgressFn& progress) const
{
    std::string script = m_paths.sourceDir + "/packaging/guest/build-image.sh";
    if (!fs::exists(script))
        return fail(ErrorCode::NotFound, "image recipe " + script + " is missing");
    std::string kernelArg = kernel;
    if (kernel != "stock" && kernel != "container") {
        std::error_code ec;
        kernelArg = fs::absolute(kernel, ec).string();
        if (!fs::is_regular_file(kernelArg))
            return fail(ErrorCode::InvalidArgument, "kernel '" + kernel + "' is not stock, container or a kernel file");
    }
    PV_TRY(ChildProcess child,
           ChildProcess::spawn({script, "--kernel", kernelArg, "--agent", m_paths.binDir + "/pidvisor-agent", "--init",
                                m_paths.binDir + "/pidvisor-init"},
                               {"PIDVISOR_CACHE=" + m_paths.cache}));
    int code = child.wait([&](const std::string& line) {
        if (auto p = parseProgressLine(line)) {
            p->detail = p->stage;
            p->stage = "building the guest image";
            report(progress, p->stage, p->percent, p->detail);
        }
    });
    if (code != 0)
        return fail(ErrorCode::Internal, "building the guest image (kernel " + kernel + ") failed: " + child.stderrTail());
    std::string dir = child.output();
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' '))
        dir.pop_back();
    if (auto nl = dir.rfind('\n'); nl != std::string::npos)
        dir = dir.substr(nl + 1);
    return GuestImage::load(dir);
}

Result<GuestImage> buildAndRecordImage(Inventory& inventory, const Paths& paths, const std::string& kernel,
                                       const ProgressFn& progress)
{
    PV_TRY(GuestImage image, ImageBuilder(paths).build(kernel, progress));
    ImageRecord rec;
    rec.id = image.id;
    rec.kernelKind = image.kernelKind;
    rec.kernelVersion = image.kernelVersion;
    rec.kernelRelease = image.kernelRelease;
    rec.path = image.dir;
    rec.sizeBytes = image.sizeBytes;
    rec.createdAt = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    rec.manifestJson = image.manifest.dump();
    PV_TRY_STATUS(inventory.upsertImage(rec));
    return image;
}

} // namespace pidvisor::manager
