// Inventory: container images (the host's, made by ImageService). The
// config is stored as its protocol JSON: it is read and written whole.
#include "Inventory.h"

#include "protocol/Names.h"
#include "protocol/Schema.h"

namespace pidvisor::manager {

using protocol::quoteForMessage;

namespace {

constexpr std::string_view kImageSelect = "SELECT id, name, digest, source, size_bytes, config_json, volume_file, "
                                          "volume_bytes, created_at FROM container_images ";

// A config that no longer decodes (written by a newer Pidvisor, or by
// hand) is an error naming the image, never a silently empty default.
Result<ContainerImageRecord> readImage(const Statement& row)
{
    ContainerImageRecord image;
    image.id = row.columnInt64(0);
    image.info.name = row.columnText(1);
    image.info.digest = row.columnText(2);
    image.info.source = row.columnText(3);
    image.info.size = row.columnInt64(4);
    auto json = nlohmann::json::parse(row.columnText(5), nullptr, false);
    auto config = protocol::decode<protocol::ImageConfig>(json, protocol::Unknown::Ignore, "image config");
    if (json.is_discarded() || !config)
        return fail(ErrorCode::FailedPrecondition,
                    "inventory: container image " + quoteForMessage(image.info.name) + " has an unreadable config" +
                        (config ? std::string() : ": " + config.error().message));
    image.info.config = std::move(*config);
    image.volumeFile = row.columnText(6);
    image.volumeBytes = row.columnInt64(7);
    image.createdAt = row.columnInt64(8);
    return image;
}

Result<std::vector<ContainerImageRecord>> collectImages(Statement& select)
{
    PV_TRY(auto rows, select.collect(readImage));
    std::vector<ContainerImageRecord> images;
    for (auto& row : rows) {
        if (!row)
            return fail(row.error());
        images.push_back(std::move(*row));
    }
    return images;
}

Result<std::optional<ContainerImageRecord>> firstImage(Statement& select)
{
    PV_TRY(std::vector<ContainerImageRecord> images, collectImages(select));
    if (images.empty())
        return std::optional<ContainerImageRecord>();
    return std::optional<ContainerImageRecord>(std::move(images.front()));
}

std::string describeImage(const std::string& name)
{
    return "container image " + quoteForMessage(name);
}

} // namespace

Result<std::int64_t> Inventory::insertContainerImage(const ContainerImageRecord& image)
{
    std::string what = describeImage(image.info.name);
    if (image.info.name.empty())
        return fail(ErrorCode::InvalidArgument, "inventory: a container image needs a name");
    if (image.volumeFile.empty())
        return fail(ErrorCode::InvalidArgument, "inventory: " + what + " has no volume file");
    auto guard = lock();
    PV_TRY(Statement insert,
           m_db.prepare("inserting " + what,
                        "INSERT INTO container_images (name, digest, source, size_bytes, config_json, volume_file, "
                        "volume_bytes, created_at) VALUES (:name, :digest, :source, :size_bytes, :config_json, "
                        ":volume_file, :volume_bytes, :created_at)"));
    insert.bindText(":name", image.info.name)
        .bindText(":digest", image.info.digest)
        .bindText(":source", image.info.source)
        .bindInt64(":size_bytes", image.info.size)
        .bindText(":config_json", protocol::encode(image.info.config).dump())
        .bindText(":volume_file", image.volumeFile)
        .bindInt64(":volume_bytes", image.volumeBytes)
        .bindInt64(":created_at", image.createdAt != 0 ? image.createdAt : nowMillis());
    PV_TRY_STATUS(insert.run());
    return m_db.lastInsertRowId();
}

Result<std::vector<ContainerImageRecord>> Inventory::containerImages() const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing container images", std::string(kImageSelect) + "ORDER BY name"));
    return collectImages(select);
}

Result<std::optional<ContainerImageRecord>> Inventory::findContainerImageByName(const std::string& name) const
{
    auto guard = lock();
    PV_TRY(Statement select,
           m_db.prepare("finding " + describeImage(name), std::string(kImageSelect) + "WHERE name = :name"));
    select.bindText(":name", name);
    return firstImage(select);
}

Result<std::vector<ContainerImageRecord>> Inventory::findContainerImagesByDigest(const std::string& prefix) const
{
    if (prefix.empty())
        return fail(ErrorCode::InvalidArgument, "inventory: an image digest prefix is empty");
    auto guard = lock();
    // substr, not LIKE: LIKE treats '_' and '%' as wildcards.
    PV_TRY(Statement select, m_db.prepare("finding the container images with digest " + quoteForMessage(prefix),
                                          std::string(kImageSelect) +
                                              "WHERE substr(digest, 1, length(:prefix)) = :prefix ORDER BY name"));
    select.bindText(":prefix", prefix);
    return collectImages(select);
}

Result<std::optional<ContainerImageRecord>> Inventory::findContainerImageByDigest(const std::string& digest) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("finding the container image " + quoteForMessage(digest),
                                          std::string(kImageSelect) + "WHERE digest = :digest"));
    select.bindText(":digest", digest);
    return firstImage(select);
}

Status Inventory::deleteContainerImage(std::int64_t id)
{
    auto guard = lock();
    std::string what = "container image with id " + std::to_string(id);
    PV_TRY(Statement remove, m_db.prepare("deleting " + what, "DELETE FROM container_images WHERE id = :id"));
    remove.bindInt64(":id", id);
    PV_TRY_STATUS(remove.run());
    return requireChanged(what);
}

} // namespace pidvisor::manager
