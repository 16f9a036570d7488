#include "DebianImage.h"

#include "GuestImage.h" // parseProgressLine

#include "core/ChildProcess.h"
#include "protocol/Checks.h"
#include "protocol/Names.h"
#include "protocol/Sha256.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using protocol::quoteForMessage;

namespace {

constexpr std::size_t kMaxPackages = 256;
constexpr std::size_t kMaxInstalled = 20000;

// Debian policy 5.6.7; also keeps apt patterns, options and paths out.
bool isPackageName(const std::string& name)
{
    static const std::regex re("[a-z0-9][a-z0-9+.-]+");
    return name.size() <= 128 && std::regex_match(name, re);
}

// The script's own "debian-image: error: WHAT" line, else the tail.
std::string scriptError(const ChildProcess& child)
{
    std::string tail = child.stderrTail(20);
    const std::string mark = "debian-image: error: ";
    std::string found;
    std::istringstream in(tail);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(mark, 0) == 0)
            found = line.substr(mark.size());
    return found.empty() ? tail : found;
}

// "P1,P2", as the recipe and an image's source name them.
std::string packageList(const DebianImageRequest& request)
{
    std::string list;
    for (const auto& p : request.packages)
        list += (list.empty() ? "" : ",") + p;
    return list;
}

} // namespace

Result<std::string> debianSuiteOf(const std::string& base)
{
    if (base == "debian:13" || base == "debian:trixie")
        return std::string("trixie");
    if (base == "debian:12" || base == "debian:bookworm")
        return std::string("bookworm");
    return fail(ErrorCode::InvalidArgument,
                "base " + quoteForMessage(base) + " is not one Pidvisor builds from (debian:13 or debian:12)");
}

Status checkDebianImageRequest(const DebianImageRequest& request)
{
    PV_TRY_STATUS(protocol::checkImageName("image name", request.name));
    PV_TRY(std::string suite, debianSuiteOf(request.base));
    (void)suite;
    if (request.packages.empty())
        return fail(ErrorCode::InvalidArgument, "an image from packages needs at least one package (--packages)");
    if (request.packages.size() > kMaxPackages)
        return fail(ErrorCode::InvalidArgument,
                    "at most " + std::to_string(kMaxPackages) + " packages are named at once");
    for (const auto& p : request.packages)
        if (!isPackageName(p))
            return fail(ErrorCode::InvalidArgument,
                        "package " + quoteForMessage(p) + " is not a Debian package name (lowercase letters, digits, '+', '-', '.')");
    return {};
}

std::string debianImageSource(const DebianImageRequest& request)
{
    std::string source = request.base + " " + packageList(request);
    if (source.size() > 4096)
        source.resize(4096);
    return source;
}

std::string debianImageDigest(const std::string& base, std::vector<std::string> installed)
{
    std::sort(installed.begin(), installed.end());
    Sha256 h;
    h.update("pidvisor debian image 1\nbase " + base + "\n");
    for (const auto& line : installed)
        h.update(line + "\n");
    return "sha256:" + h.hex();
}

Result<protocol::ImageInfo> buildDebianImage(const Paths& paths, const DebianImageRequest& request,
                                             const ImageStaging& staging, const ProgressFn& progress)
{
    PV_TRY_STATUS(checkDebianImageRequest(request));
    PV_TRY(std::string suite, debianSuiteOf(request.base));
    std::string script = paths.sourceDir + "/packaging/images/debian-image.sh";
    if (!fs::exists(script))
        return fail(ErrorCode::NotFound, "image recipe " + script + " is missing");
    const std::string list = packageList(request);

    PV_TRY(ChildProcess child,
           ChildProcess::spawn({script, "--suite", suite, "--packages", list, "--out", staging.dir.string()},
                               {"PIDVISOR_CACHE=" + paths.cache}));
    int code = child.wait([&](const std::string& line) {
        if (auto p = parseProgressLine(line)) {
            // "progress 65 install redis-server": the stage word, then its text.
            auto space = p->stage.find(' ');
            p->detail = space == std::string::npos ? "" : p->stage.substr(space + 1);
            report(progress, "building the image from Debian packages", p->percent, p->detail);
        }
    });
    switch (code) {
    case 0:
        break;
    case 3:
        return fail(ErrorCode::NotFound, scriptError(child));
    case 2:
        return fail(ErrorCode::InvalidArgument, scriptError(child));
    case 4:
        return fail(ErrorCode::Unavailable, scriptError(child));
    default:
        return fail(ErrorCode::Internal, "building the image " + quoteForMessage(request.name) +
                                             " from Debian packages failed: " + scriptError(child));
    }

    std::vector<std::string> installed;
    std::istringstream out(child.output());
    for (std::string line; std::getline(out, line);) {
        if (line.empty())
            continue;
        if (line.find('=') == std::string::npos || line.size() > 512 || installed.size() >= kMaxInstalled)
            return fail(ErrorCode::Internal, "the image recipe printed " + quoteForMessage(line.substr(0, 80)) +
                                                 " where a NAME=VERSION line belongs");
        installed.push_back(line);
    }
    if (installed.empty())
        return fail(ErrorCode::Internal, "the image recipe reported no installed packages");

    protocol::ImageInfo info;
    info.name = request.name;
    info.digest = debianImageDigest(request.base, installed);
    info.source = debianImageSource(request);
    info.config.cmd = {"/bin/bash"};
    info.config.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    info.config.workingDir = "/";
    PV_TRY(info.size, treeBytes(staging.rootfs()));
    PV_TRY_STATUS(writeImageInfo(staging, info));
    return info;
}

} // namespace pidvisor::manager
