// Inventory: opening, hosts and images. VMs, containers, checkpoints and
// operations live in the Inventory*.cpp files named after them.
#include "Inventory.h"

#include "Migrations.h"

#include "protocol/Names.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using protocol::quoteForMessage;

namespace {

constexpr const char* kMemoryPath = ":memory:";

Status createParentDirectories(const std::string& path)
{
    fs::path parent = fs::path(path).parent_path();
    if (parent.empty())
        return {};
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (!ec)
        return {};
    // Not errnoError's mapping: EEXIST here means a file is in the way,
    // which is state to fix, not a name that is taken.
    ErrorCode code = ErrorCode::FailedPrecondition;
    if (ec.value() == EACCES || ec.value() == EPERM || ec.value() == EROFS)
        code = ErrorCode::PermissionDenied;
    else if (ec.value() == ENOSPC)
        code = ErrorCode::ResourceExhausted;
    return fail(code, "inventory " + path + ": cannot create directory " + parent.string() + ": " + ec.message());
}

// $HOME, else the password database's entry (HOME is unset under some
// service managers), else the working directory as a last resort.
fs::path homeDirectory()
{
    const char* home = std::getenv("HOME");
    if (home != nullptr && home[0] != '\0')
        return home;
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr)
        return found->pw_dir;
    return ".";
}

constexpr const char* kHostColumns = "id, uri, name, added_at";

HostRecord readHost(const Statement& row)
{
    return HostRecord{row.columnInt64(0), row.columnText(1), row.columnText(2), row.columnInt64(3)};
}

constexpr const char* kImageColumns =
    "id, kernel_kind, kernel_version, kernel_release, path, size_bytes, created_at, manifest_json";

ImageRecord readImage(const Statement& row)
{
    ImageRecord image;
    image.id = row.columnText(0);
    image.kernelKind = row.columnText(1);
    image.kernelVersion = row.columnText(2);
    image.kernelRelease = row.columnText(3);
    image.path = row.columnText(4);
    image.sizeBytes = row.columnInt64(5);
    image.createdAt = row.columnInt64(6);
    image.manifestJson = row.columnText(7);
    return image;
}

} // namespace

std::string defaultInventoryPath()
{
    // The XDG spec says a relative XDG_DATA_HOME is invalid and ignored.
    const char* dataHome = std::getenv("XDG_DATA_HOME");
    if (dataHome != nullptr && dataHome[0] == '/')
        return (fs::path(dataHome) / "pidvisor" / "inventory.db").string();
    return (homeDirectory() / ".local" / "share" / "pidvisor" / "inventory.db").string();
}

Inventory::Inventory(Database db, int version)
    : m_mutex(std::make_unique<std::mutex>()), m_db(std::move(db)), m_version(version)
{
}

Result<Inventory> Inventory::open(const std::string& path)
{
    return openImpl(path, latestSchemaVersion());
}

Result<Inventory> Inventory::openAtVersion(const std::string& path, int version)
{
    return openImpl(path, version);
}

Result<Inventory> Inventory::openImpl(const std::string& path, int version)
{
    if (path.empty())
        return fail(ErrorCode::InvalidArgument, "inventory path is empty");
    if (path != kMemoryPath)
        PV_TRY_STATUS(createParentDirectories(path));
    PV_TRY(Database db, Database::open(path));
    PV_TRY(int reached, migrateSchema(db, version));
    return Inventory(std::move(db), reached);
}

int Inventory::latestVersion()
{
    return latestSchemaVersion();
}

std::int64_t Inventory::nowMillis()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status Inventory::requireChanged(std::string_view what) const
{
    if (m_db.changes() == 0)
        return fail(ErrorCode::NotFound, "inventory: no " + std::string(what));
    return {};
}

Result<HostRecord> Inventory::ensureHost(const std::string& uri, const std::string& name)
{
    if (uri.empty())
        return fail(ErrorCode::InvalidArgument, "inventory: host uri is empty");
    auto guard = lock();
    std::string doing = "adding host " + quoteForMessage(uri);
    return m_db.transaction(doing, [&]() -> Result<HostRecord> {
        PV_TRY(Statement insert, m_db.prepare(doing, "INSERT INTO hosts (uri, name, added_at) "
                                                     "VALUES (:uri, :name, :added_at) "
                                                     "ON CONFLICT (uri) DO NOTHING"));
        insert.bindText(":uri", uri).bindText(":name", name).bindInt64(":added_at", nowMillis());
        PV_TRY_STATUS(insert.run());
        PV_TRY(Statement select,
               m_db.prepare(doing, std::string("SELECT ") + kHostColumns + " FROM hosts WHERE uri = :uri"));
        select.bindText(":uri", uri);
        PV_TRY(std::optional<HostRecord> host, select.first(readHost));
        if (!host)
            return fail(ErrorCode::Internal, "inventory: " + doing + ": the row vanished");
        return *host;
    });
}

Result<std::optional<HostRecord>> Inventory::findHost(const std::string& uri) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("finding host " + quoteForMessage(uri),
                                          std::string("SELECT ") + kHostColumns + " FROM hosts WHERE uri = :uri"));
    select.bindText(":uri", uri);
    return select.first(readHost);
}

Result<std::vector<HostRecord>> Inventory::hosts() const
{
    auto guard = lock();
    PV_TRY(Statement select,
           m_db.prepare("listing hosts", std::string("SELECT ") + kHostColumns + " FROM hosts ORDER BY id"));
    return select.collect(readHost);
}

Status Inventory::upsertImage(const ImageRecord& image)
{
    auto guard = lock();
    // ON CONFLICT DO UPDATE, not INSERT OR REPLACE: REPLACE deletes the old
    // row first, which would fire ON DELETE SET NULL on every VM using it.
    PV_TRY(Statement upsert,
           m_db.prepare("storing image " + quoteForMessage(image.id),
                        "INSERT INTO images (id, kernel_kind, kernel_version, kernel_release, path, size_bytes, "
                        "created_at, manifest_json) VALUES (:id, :kernel_kind, :kernel_version, :kernel_release, "
                        ":path, :size_bytes, :created_at, :manifest_json) ON CONFLICT (id) DO UPDATE SET "
                        "kernel_kind = excluded.kernel_kind, kernel_version = excluded.kernel_version, "
                        "kernel_release = excluded.kernel_release, path = excluded.path, "
                        "size_bytes = excluded.size_bytes, created_at = excluded.created_at, "
                        "manifest_json = excluded.manifest_json"));
    upsert.bindText(":id", image.id)
        .bindText(":kernel_kind", image.kernelKind)
        .bindText(":kernel_version", image.kernelVersion)
        .bindText(":kernel_release", image.kernelRelease)
        .bindText(":path", image.path)
        .bindInt64(":size_bytes", image.sizeBytes)
        .bindInt64(":created_at", image.createdAt != 0 ? image.createdAt : nowMillis())
        .bindText(":manifest_json", image.manifestJson);
    return upsert.run();
}

Result<std::optional<ImageRecord>> Inventory::findImage(const std::string& id) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("finding image " + quoteForMessage(id),
                                          std::string("SELECT ") + kImageColumns + " FROM images WHERE id = :id"));
    select.bindText(":id", id);
    return select.first(readImage);
}

Result<std::vector<ImageRecord>> Inventory::images() const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing images", std::string("SELECT ") + kImageColumns +
                                                                " FROM images ORDER BY created_at DESC, id"));
    return select.collect(readImage);
}

Status Inventory::deleteImage(const std::string& id)
{
    auto guard = lock();
    PV_TRY(Statement remove, m_db.prepare("deleting image " + quoteForMessage(id), "DELETE FROM images WHERE id = :id"));
    remove.bindText(":id", id);
    PV_TRY_STATUS(remove.run());
    return requireChanged("image " + quoteForMessage(id));
}

} // namespace pidvisor::manager
