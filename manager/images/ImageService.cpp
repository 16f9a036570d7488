#include "ImageService.h"

#include "ImageVolume.h"
#include "OciImport.h"

#include "protocol/Checks.h"
#include "protocol/ImageFiles.h"
#include "protocol/Names.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using protocol::quoteForMessage;

namespace {

constexpr std::size_t kMinDigestPrefix = 12;

// A staging directory under the images directory (same filesystem as the
// volumes, so nothing is copied twice), removed whatever happens.
class StagingDir {
public:
    static Result<StagingDir> make(const std::string& imagesDir)
    {
        std::error_code ec;
        fs::create_directories(imagesDir, ec);
        if (ec)
            return failErrno("creating " + imagesDir, ec.value());
        std::string tmpl = imagesDir + "/.staging-XXXXXX";
        if (!::mkdtemp(tmpl.data()))
            return failErrno("creating a staging directory in " + imagesDir, errno);
        // The volume's root is this directory: the usual mode, not mkdtemp's.
        ::chmod(tmpl.c_str(), 0755);
        return StagingDir(tmpl);
    }
    StagingDir(StagingDir&& other) noexcept : m_staging(std::move(other.m_staging)) { other.m_staging.dir.clear(); }
    StagingDir& operator=(StagingDir&&) = delete;
    ~StagingDir()
    {
        if (!m_staging.dir.empty()) {
            std::error_code ec;
            fs::remove_all(m_staging.dir, ec);
        }
    }
    [[nodiscard]] const ImageStaging& staging() const { return m_staging; }

private:
    explicit StagingDir(std::string dir) { m_staging.dir = std::move(dir); }
    ImageStaging m_staging;
};

bool isHexPrefix(std::string_view text)
{
    return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

ImageService::ImageService(Inventory& inventory, Paths paths) : m_inventory(inventory), m_paths(std::move(paths)) {}

std::string ImageService::volumePath(const std::string& digest) const
{
    return m_paths.images + "/" + protocol::digestHex(digest) + ".erofs";
}

Result<ContainerImageRecord> ImageService::importArchive(const std::string& file,
                                                         const std::optional<std::string>& name,
                                                         const ProgressFn& progress)
{
    if (name) {
        PV_TRY_STATUS(protocol::checkImageName("image name", *name));
    }
    PV_TRY(StagingDir dir, StagingDir::make(m_paths.images));
    PV_TRY(protocol::ImageInfo info, importImageArchive(file, dir.staging(), name, progress));
    return store(dir.staging(), info, progress);
}

Result<ContainerImageRecord> ImageService::createFromPackages(const DebianImageRequest& request,
                                                             const ProgressFn& progress)
{
    PV_TRY_STATUS(checkDebianImageRequest(request));
    // A name another recipe made is refused before a minute of building;
    // the same recipe again builds and compares digests (the archive may
    // have moved on).
    PV_TRY(auto byName, m_inventory.findContainerImageByName(request.name));
    if (byName && byName->info.source != debianImageSource(request))
        return fail(ErrorCode::AlreadyExists, "image name " + quoteForMessage(request.name) + " is taken by " +
                                                  byName->info.digest.substr(0, 19) + " (" + byName->info.source +
                                                  "): remove that image or choose another name");
    PV_TRY(StagingDir dir, StagingDir::make(m_paths.images));
    PV_TRY(protocol::ImageInfo info, buildDebianImage(m_paths, request, dir.staging(), progress));
    return store(dir.staging(), info, progress);
}

Result<ContainerImageRecord> ImageService::store(const ImageStaging& staging, const protocol::ImageInfo& info,
                                                 const ProgressFn& progress)
{
    PV_TRY(auto byName, m_inventory.findContainerImageByName(info.name));
    if (byName && byName->info.digest == info.digest)
        return *byName; // the same image again
    if (byName)
        return fail(ErrorCode::AlreadyExists, "image name " + quoteForMessage(info.name) + " is taken by " +
                                                  byName->info.digest.substr(0, 19) +
                                                  ": remove that image or choose another name (--name)");
    PV_TRY(auto byDigest, m_inventory.findContainerImageByDigest(info.digest));
    if (byDigest)
        return fail(ErrorCode::AlreadyExists, "this image (" + info.digest.substr(0, 19) + ") is already here as " +
                                                  quoteForMessage(byDigest->info.name));
    ContainerImageRecord record;
    record.info = info;
    record.volumeFile = volumePath(info.digest);
    PV_TRY(record.volumeBytes, packImageVolume(staging, record.volumeFile, progress));
    auto id = m_inventory.insertContainerImage(record);
    if (!id) {
        std::error_code ec;
        fs::remove(record.volumeFile, ec);
        return fail(id.error());
    }
    // Read back: createdAt as the inventory stored it.
    PV_TRY(auto stored, m_inventory.findContainerImageByName(info.name));
    if (!stored)
        return fail(ErrorCode::Internal, "inventory: the image " + quoteForMessage(info.name) + " vanished");
    return *stored;
}

Result<std::vector<ContainerImageRecord>> ImageService::list() const
{
    return m_inventory.containerImages();
}

Result<ContainerImageRecord> ImageService::find(const std::string& ref) const
{
    if (ref.empty())
        return fail(ErrorCode::InvalidArgument, "an image name or digest is empty");
    PV_TRY(auto byName, m_inventory.findContainerImageByName(ref));
    if (byName)
        return *byName;
    std::string hex = ref.rfind("sha256:", 0) == 0 ? ref.substr(7) : ref;
    if (isHexPrefix(hex) && hex.size() >= kMinDigestPrefix) {
        PV_TRY(auto matches, m_inventory.findContainerImagesByDigest("sha256:" + hex));
        if (matches.size() == 1)
            return matches.front();
        if (matches.size() > 1)
            return fail(ErrorCode::InvalidArgument, "digest prefix " + quoteForMessage(ref) + " matches " +
                                                        std::to_string(matches.size()) + " images: give more digits");
    }
    return fail(ErrorCode::NotFound, "no container image " + quoteForMessage(ref) +
                                         " (pidvisor image list shows them)");
}

Status ImageService::remove(const std::string& ref)
{
    PV_TRY(ContainerImageRecord image, find(ref));
    PV_TRY_STATUS(m_inventory.deleteContainerImage(image.id));
    std::error_code ec;
    fs::remove(image.volumeFile, ec);
    if (ec)
        return failErrno("removing " + image.volumeFile + " (the image's record is gone)", ec.value());
    return {};
}

} // namespace pidvisor::manager
