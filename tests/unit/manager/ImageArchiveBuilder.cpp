#include "ImageArchiveBuilder.h"

#include "protocol/Sha256.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>

namespace pidvisor::manager::test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct WriteFree {
    void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

void check(int rc, archive* a)
{
    if (rc < ARCHIVE_WARN)
        throw std::runtime_error(std::string("libarchive: ") + (archive_error_string(a) ? archive_error_string(a) : "?"));
}

// Writes a tar of named byte strings (the outer archive).
std::string tarOfFiles(const std::vector<std::pair<std::string, std::string>>& files,
                       const std::vector<std::pair<std::string, std::string>>& links = {})
{
    std::vector<TarEntry> entries;
    for (const auto& [name, bytes] : files)
        entries.push_back(file(name, bytes));
    for (const auto& [name, target] : links)
        entries.push_back(symlink(name, target));
    return makeTar(entries);
}

void writeFile(const fs::path& out, const std::string& bytes)
{
    std::ofstream(out, std::ios::binary) << bytes;
}

} // namespace

TarEntry file(std::string name, std::string data, mode_t mode, uid_t uid, gid_t gid)
{
    return {TarEntry::Type::File, std::move(name), std::move(data), {}, mode, uid, gid};
}
TarEntry dir(std::string name, mode_t mode, uid_t uid, gid_t gid)
{
    return {TarEntry::Type::Dir, std::move(name), {}, {}, mode, uid, gid};
}
TarEntry symlink(std::string name, std::string target)
{
    return {TarEntry::Type::Symlink, std::move(name), {}, std::move(target), 0777, 0, 0};
}
TarEntry hardlink(std::string name, std::string target)
{
    return {TarEntry::Type::Hardlink, std::move(name), {}, std::move(target), 0644, 0, 0};
}
TarEntry charDevice(std::string name)
{
    return {TarEntry::Type::CharDevice, std::move(name), {}, {}, 0666, 0, 0};
}
TarEntry fifo(std::string name)
{
    return {TarEntry::Type::Fifo, std::move(name), {}, {}, 0644, 0, 0};
}

std::string readText(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string sha256Hex(const std::string& bytes)
{
    return Sha256::of(bytes);
}

std::string makeTar(const std::vector<TarEntry>& entries, bool gzip)
{
    std::unique_ptr<archive, WriteFree> a(archive_write_new());
    archive_write_set_format_pax_restricted(a.get());
    if (gzip)
        archive_write_add_filter_gzip(a.get());
    archive_write_set_bytes_in_last_block(a.get(), 1);
    std::string out;
    archive_write_open(
        a.get(), &out, nullptr,
        [](archive*, void* data, const void* buffer, size_t length) -> la_ssize_t {
            static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), length);
            return static_cast<la_ssize_t>(length);
        },
        nullptr);
    for (const auto& e : entries) {
        std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), e.name.c_str());
        archive_entry_set_uid(entry.get(), e.uid);
        archive_entry_set_gid(entry.get(), e.gid);
        archive_entry_set_mtime(entry.get(), 1700000000, 0);
        switch (e.type) {
        case TarEntry::Type::File:
            archive_entry_set_filetype(entry.get(), AE_IFREG);
            archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.data.size()));
            break;
        case TarEntry::Type::Dir:
            archive_entry_set_filetype(entry.get(), AE_IFDIR);
            break;
        case TarEntry::Type::Symlink:
            archive_entry_set_filetype(entry.get(), AE_IFLNK);
            archive_entry_set_symlink(entry.get(), e.link.c_str());
            break;
        case TarEntry::Type::Hardlink:
            archive_entry_set_filetype(entry.get(), AE_IFREG);
            archive_entry_set_hardlink(entry.get(), e.link.c_str());
            archive_entry_set_size(entry.get(), 0);
            break;
        case TarEntry::Type::CharDevice:
            archive_entry_set_filetype(entry.get(), AE_IFCHR);
            archive_entry_set_rdev(entry.get(), makedev(1, 3));
            break;
        case TarEntry::Type::Fifo:
            archive_entry_set_filetype(entry.get(), AE_IFIFO);
            break;
        }
        archive_entry_set_perm(entry.get(), e.mode);
        check(archive_write_header(a.get(), entry.get()), a.get());
        if (e.type == TarEntry::Type::File && !e.data.empty())
            archive_write_data(a.get(), e.data.data(), e.data.size());
    }
    check(archive_write_close(a.get()), a.get());
    return out;
}

ImageArchiveBuilder::ImageArchiveBuilder()
{
    config = {{"architecture", "amd64"}, {"os", "linux"}, {"config", json::object()}};
}

void ImageArchiveBuilder::layer(std::vector<TarEntry> entries, bool gzip)
{
    std::string plain = makeTar(entries);
    Layer l;
    l.diffId = "sha256:" + sha256Hex(plain);
    l.gzip = gzip;
    l.bytes = gzip ? makeTar(entries, true) : plain;
    l.plain = plain;
    m_layers.push_back(std::move(l));
}

std::string ImageArchiveBuilder::configBytes() const
{
    json c = config;
    json ids = json::array();
    for (const auto& l : m_layers)
        ids.push_back(l.diffId);
    c["rootfs"] = {{"type", "layers"}, {"diff_ids", ids}};
    return c.dump();
}

std::string ImageArchiveBuilder::configDigest() const
{
    return "sha256:" + sha256Hex(configBytes());
}

void ImageArchiveBuilder::writeOci(const fs::path& out) const
{
    std::vector<std::pair<std::string, std::string>> files;
    std::string configText = configBytes();
    json layers = json::array();
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        std::string digestHex = sha256Hex(m_layers[i].bytes);
        std::string stored = m_layers[i].bytes;
        if (tamperLayer)
            tamperLayer(stored, i);
        layers.push_back({{"mediaType", m_layers[i].gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                                         : "application/vnd.oci.image.layer.v1.tar"},
                          {"digest", "sha256:" + digestHex},
                          {"size", m_layers[i].bytes.size()}});
        files.emplace_back("blobs/sha256/" + digestHex, stored);
    }
    files.emplace_back("blobs/sha256/" + sha256Hex(configText), configText);
    json manifest = {{"schemaVersion", 2},
                     {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                     {"config",
                      {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                       {"digest", "sha256:" + sha256Hex(configText)},
                       {"size", configText.size()}}},
                     {"layers", layers}};
    std::string manifestText = manifest.dump();
    files.emplace_back("blobs/sha256/" + sha256Hex(manifestText), manifestText);
    json descriptor = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                       {"digest", "sha256:" + sha256Hex(manifestText)},
                       {"size", manifestText.size()}};
    if (!reference.empty())
        descriptor["annotations"] = {{"org.opencontainers.image.ref.name", reference}};
    json index = {{"schemaVersion", 2}, {"manifests", json::array({descriptor})}};
    files.emplace_back("index.json", index.dump());
    files.emplace_back("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    writeFile(out, tarOfFiles(files));
}

void ImageArchiveBuilder::writeDocker(const fs::path& out) const
{
    std::vector<std::pair<std::string, std::string>> files;
    std::vector<std::pair<std::string, std::string>> links;
    std::string configText = configBytes();
    std::string configName = sha256Hex(configText) + ".json";
    files.emplace_back(configName, configText);
    json layerNames = json::array();
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        std::string stored = m_layers[i].plain;
        if (tamperLayer)
            tamperLayer(stored, i);
        std::string name = "layer" + std::to_string(i) + "/layer.tar";
        // Docker links a layer that two images share; do the same for the
        // last one so the links are exercised.
        if (i + 1 == m_layers.size() && i > 0) {
            links.emplace_back(name, "../shared/layer.tar");
            files.emplace_back("shared/layer.tar", stored);
        } else {
            files.emplace_back(name, stored);
        }
        layerNames.push_back(name);
    }
    json manifest = json::array({{{"Config", configName},
                                  {"RepoTags", reference.empty() ? json::array() : json::array({reference})},
                                  {"Layers", layerNames}}});
    files.emplace_back("manifest.json", manifest.dump());
    writeFile(out, tarOfFiles(files, links));
}

} // namespace pidvisor::manager::test
