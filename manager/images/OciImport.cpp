#include "OciImport.h"

#include "protocol/BeneathDir.h"
#include "protocol/Frame.h"
#include "protocol/Names.h"
#include "protocol/Sha256.h"
#include "protocol/UniqueFd.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using nlohmann::json;
using protocol::quoteForMessage;

namespace {

// Bounds on what an archive may make us do.
constexpr std::size_t kMaxJsonBytes = 4 << 20;      // index, manifests, configs
constexpr std::size_t kMaxOuterEntries = 100000;    // files of the outer archive
constexpr std::size_t kMaxLayers = 256;             // Docker's own limit is 127
constexpr std::size_t kMaxLayerEntries = 2000000;   // entries of one layer
constexpr std::size_t kBlockSize = 1 << 16;

struct ReadFree {
    void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
    void operator()(archive* a) const { archive_write_free(a); }
};
using ArchiveReader = std::unique_ptr<archive, ReadFree>;
using ArchiveWriter = std::unique_ptr<archive, WriteFree>;

std::string archiveMessage(archive* a)
{
    const char* text = archive_error_string(a);
    return text ? text : "unknown libarchive error";
}

Result<ArchiveReader> openReader(const fs::path& file, const std::string& what)
{
    ArchiveReader reader(archive_read_new());
    if (!reader)
        return fail(ErrorCode::ResourceExhausted, "libarchive: out of memory");
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_tar(reader.get());
    if (archive_read_open_filename(reader.get(), file.c_str(), kBlockSize) != ARCHIVE_OK)
        return fail(ErrorCode::InvalidArgument, what + " is not a tar archive: " + archiveMessage(reader.get()));
    return reader;
}

// A tar entry's name as a clean relative path ("./a//b/" -> "a/b"), or
// an error for an absolute name, "..", or a NUL; "" is the root itself.
Result<std::string> cleanEntryName(std::string_view raw, const std::string& where)
{
    std::string out;
    std::size_t start = 0;
    while (start <= raw.size()) {
        std::size_t slash = raw.find('/', start);
        std::string_view part =
            raw.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part == "..")
            return fail(ErrorCode::InvalidArgument, where + ": entry " + quoteForMessage(raw) + " leaves its root");
        if (!part.empty() && part != ".") {
            if (!out.empty())
                out += '/';
            out += part;
        }
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    if (out.size() >= PATH_MAX)
        return fail(ErrorCode::InvalidArgument, where + ": an entry name is longer than PATH_MAX");
    return out;
}

// ---- the outer archive: its regular files unpacked, its symlinks kept as
// names (docker archives link identical layers)

class OuterArchive {
public:
    static Result<OuterArchive> unpack(const fs::path& file, const fs::path& into, const ProgressFn& progress)
    {
        OuterArchive outer;
        outer.m_dir = into;
        std::error_code ec;
        fs::create_directories(into, ec);
        if (ec)
            return failErrno("creating " + into.string(), ec.value());
        PV_TRY(ArchiveReader reader, openReader(file, file.string()));
        std::string where = file.filename().string();
        archive_entry* entry = nullptr;
        std::size_t count = 0;
        std::int64_t total = static_cast<std::int64_t>(fs::file_size(file, ec));
        for (;;) {
            int rc = archive_read_next_header(reader.get(), &entry);
            if (rc == ARCHIVE_EOF)
                break;
            if (rc < ARCHIVE_WARN)
                return fail(ErrorCode::InvalidArgument, where + " is damaged: " + archiveMessage(reader.get()));
            if (++count > kMaxOuterEntries)
                return fail(ErrorCode::InvalidArgument, where + " has more than " +
                                                            std::to_string(kMaxOuterEntries) + " entries");
            const char* raw = archive_entry_pathname(entry);
            PV_TRY(std::string name, cleanEntryName(raw ? raw : "", where));
            auto type = archive_entry_filetype(entry);
            if (type == AE_IFLNK) {
                // Relative to the link's directory ("../<id>/layer.tar"), and
                // only ever to another name of this archive: a target that
                // leaves it stays unresolved.
                const char* target = archive_entry_symlink(entry);
                fs::path resolved = (fs::path(name).parent_path() / (target ? target : "")).lexically_normal();
                std::string text = resolved.string();
                if (!resolved.is_absolute() && text != ".." && text.rfind("../", 0) != 0)
                    outer.m_links[name] = text;
            } else if (type == AE_IFREG) {
                fs::path stored = into / std::to_string(count);
                PV_TRY_STATUS(copyData(reader.get(), stored, where + ": " + name));
                outer.m_files[name] = stored;
            }
            if (total > 0)
                report(progress, "reading the archive",
                       static_cast<int>(std::min<std::int64_t>(
                           99, archive_filter_bytes(reader.get(), -1) * 100 / total)),
                       name);
        }
        return outer;
    }

    // The unpacked file of `name`, following the archive's own symlinks
    // (a few hops, never out of the archive).
    [[nodiscard]] Result<fs::path> file(const std::string& name) const
    {
        std::string current = name;
        for (int hop = 0; hop < 8; ++hop) {
            if (auto it = m_files.find(current); it != m_files.end())
                return it->second;
            auto link = m_links.find(current);
            if (link == m_links.end())
                break;
            current = link->second;
        }
        return fail(ErrorCode::InvalidArgument, "the archive has no file " + quoteForMessage(name));
    }
    [[nodiscard]] bool has(const std::string& name) const { return bool(file(name)); }

private:
    static Status copyData(archive* reader, const fs::path& out, const std::string& what)
    {
        UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd)
            return failErrno("writing " + out.string(), errno);
        std::vector<char> buffer(kBlockSize);
        for (;;) {
            la_ssize_t n = archive_read_data(reader, buffer.data(), buffer.size());
            if (n == 0)
                return {};
            if (n < 0)
                return fail(ErrorCode::InvalidArgument, what + " cannot be read: " + archiveMessage(reader));
            std::size_t done = 0;
            while (done < static_cast<std::size_t>(n)) {
                ssize_t w = ::write(fd.get(), buffer.data() + done, static_cast<std::size_t>(n) - done);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w < 0)
                    return failErrno("writing " + out.string(), errno);
                done += static_cast<std::size_t>(w);
            }
        }
    }

    fs::path m_dir;
    std::map<std::string, fs::path> m_files;
    std::map<std::string, std::string> m_links;
};

Result<json> readJson(const fs::path& file, const std::string& what)
{
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd)
        return failErrno("reading " + what, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return failErrno("reading " + what, errno);
    if (static_cast<std::uint64_t>(st.st_size) > kMaxJsonBytes)
        return fail(ErrorCode::InvalidArgument, what + " is larger than 4 MiB");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    if (::pread(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        return failErrno("reading " + what, errno);
    PV_TRY_STATUS(protocol::checkJsonShape(text));
    auto parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded())
        return fail(ErrorCode::InvalidArgument, what + " is not JSON");
    return parsed;
}

// Text fields of hostile JSON, read without exceptions.
std::string textAt(const json& object, const char* key)
{
    if (!object.is_object())
        return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::vector<std::string>> textsAt(const json& object, const char* key, const std::string& what)
{
    std::vector<std::string> out;
    if (!object.is_object())
        return out;
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return out;
    if (!it->is_array())
        return fail(ErrorCode::InvalidArgument, what + ": " + key + " is not a list of strings");
    for (const auto& item : *it) {
        if (!item.is_string())
            return fail(ErrorCode::InvalidArgument, what + ": " + key + " is not a list of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

bool isHex64(std::string_view hex)
{
    return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// "sha256:<hex>" -> "<hex>", or an error (other algorithms are refused).
Result<std::string> digestHexOf(const std::string& digest, const std::string& what)
{
    if (digest.rfind("sha256:", 0) != 0 || !isHex64(std::string_view(digest).substr(7)))
        return fail(ErrorCode::InvalidArgument, what + " has digest " + quoteForMessage(digest) +
                                                    " (only sha256:<64 hex digits> is accepted)");
    return digest.substr(7);
}

Status verifyFile(const fs::path& file, const std::string& hex, std::optional<std::int64_t> size,
                  const std::string& what)
{
    if (size) {
        std::error_code ec;
        auto actual = fs::file_size(file, ec);
        if (ec || static_cast<std::int64_t>(actual) != *size)
            return fail(ErrorCode::InvalidArgument, what + " is " + std::to_string(ec ? 0 : actual) +
                                                        " bytes, its descriptor says " + std::to_string(*size));
    }
    PV_TRY(std::string actual, Sha256::ofFile(file.string()));
    if (actual != hex)
        return fail(ErrorCode::InvalidArgument, what + " does not match its digest sha256:" + hex.substr(0, 12) +
                                                    "... (the archive is damaged or altered)");
    return {};
}

// A descriptor's blob in an OCI layout, verified.
struct Descriptor {
    std::string mediaType;
    std::string hex;
    std::optional<std::int64_t> size;
    json annotations;
};

Result<Descriptor> readDescriptor(const json& object, const std::string& what)
{
    if (!object.is_object())
        return fail(ErrorCode::InvalidArgument, what + " is not a descriptor object");
    Descriptor d;
    d.mediaType = textAt(object, "mediaType");
    PV_TRY(d.hex, digestHexOf(textAt(object, "digest"), what));
    if (auto it = object.find("size"); it != object.end()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
            return fail(ErrorCode::InvalidArgument, what + " has a size that is not a whole number");
        d.size = it->get<std::int64_t>();
    }
    if (auto it = object.find("annotations"); it != object.end() && it->is_object())
        d.annotations = *it;
    return d;
}

Result<fs::path> verifiedBlob(const OuterArchive& outer, const Descriptor& d, const std::string& what)
{
    PV_TRY(fs::path file, outer.file("blobs/sha256/" + d.hex));
    PV_TRY_STATUS(verifyFile(file, d.hex, d.size, what));
    return file;
}

// What the image is made of, whichever archive it came in.
struct ImagePlan {
    std::string configHex;
    json config;
    std::vector<fs::path> layers;
    std::string reference; // the archive's name for it, if any
    std::string format;    // "oci-archive", "docker-archive"
};

bool isIndexMediaType(const std::string& type)
{
    return type == "application/vnd.oci.image.index.v1+json" ||
           type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

// From an index's manifests, the one for linux/amd64 (or the only one).
Result<Descriptor> pickManifest(const json& index, const std::string& what)
{
    auto it = index.is_object() ? index.find("manifests") : index.end();
    if (!index.is_object() || it == index.end() || !it->is_array() || it->empty())
        return fail(ErrorCode::InvalidArgument, what + " lists no image");
    std::vector<Descriptor> candidates;
    for (const auto& m : *it) {
        PV_TRY(Descriptor d, readDescriptor(m, what + "'s manifest"));
        const json& platform = m.contains("platform") ? m["platform"] : json();
        std::string os = textAt(platform, "os"), arch = textAt(platform, "architecture");
        if ((os.empty() || os == "linux") && (arch.empty() || arch == "amd64"))
            candidates.push_back(std::move(d));
    }
    if (candidates.empty())
        return fail(ErrorCode::InvalidArgument, what + " has no image for linux/amd64");
    if (candidates.size() > 1)
        return fail(ErrorCode::InvalidArgument,
                    what + " holds " + std::to_string(candidates.size()) +
                        " images; save one image per archive");
    return candidates.front();
}

Result<ImagePlan> planOci(const OuterArchive& outer)
{
    PV_TRY(fs::path indexFile, outer.file("index.json"));
    PV_TRY(json index, readJson(indexFile, "the archive's index.json"));
    PV_TRY(Descriptor manifestRef, pickManifest(index, "the archive's index.json"));
    ImagePlan plan;
    plan.format = "oci-archive";
    plan.reference = textAt(manifestRef.annotations, "io.containerd.image.name");
    if (plan.reference.empty())
        plan.reference = textAt(manifestRef.annotations, "org.opencontainers.image.ref.name");
    PV_TRY(fs::path manifestFile, verifiedBlob(outer, manifestRef, "the image manifest"));
    PV_TRY(json manifest, readJson(manifestFile, "the image manifest"));
    // A nested index (one level: Docker's and buildx's layouts).
    if (isIndexMediaType(manifestRef.mediaType) || isIndexMediaType(textAt(manifest, "mediaType"))) {
        PV_TRY(manifestRef, pickManifest(manifest, "the image index"));
        PV_TRY(manifestFile, verifiedBlob(outer, manifestRef, "the image manifest"));
        PV_TRY(manifest, readJson(manifestFile, "the image manifest"));
    }
    if (!manifest.is_object() || !manifest.contains("config"))
        return fail(ErrorCode::InvalidArgument, "the image manifest has no config");
    PV_TRY(Descriptor configRef, readDescriptor(manifest["config"], "the image config"));
    PV_TRY(fs::path configFile, verifiedBlob(outer, configRef, "the image config"));
    PV_TRY(plan.config, readJson(configFile, "the image config"));
    plan.configHex = configRef.hex;
    auto layers = manifest.find("layers");
    if (layers == manifest.end() || !layers->is_array())
        return fail(ErrorCode::InvalidArgument, "the image manifest has no layers list");
    if (layers->size() > kMaxLayers)
        return fail(ErrorCode::InvalidArgument, "the image has more than " + std::to_string(kMaxLayers) + " layers");
    std::size_t n = 0;
    for (const auto& layer : *layers) {
        std::string what = "layer " + std::to_string(++n);
        PV_TRY(Descriptor d, readDescriptor(layer, what));
        if (d.mediaType.find("nondistributable") != std::string::npos || d.mediaType.find("foreign") != std::string::npos)
            return fail(ErrorCode::InvalidArgument, what + " is a foreign layer, not in the archive");
        PV_TRY(fs::path file, verifiedBlob(outer, d, what));
        plan.layers.push_back(file);
    }
    return plan;
}

Result<ImagePlan> planDocker(const OuterArchive& outer)
{
    PV_TRY(fs::path manifestFile, outer.file("manifest.json"));
    PV_TRY(json manifest, readJson(manifestFile, "the archive's manifest.json"));
    if (!manifest.is_array() || manifest.empty())
        return fail(ErrorCode::InvalidArgument, "the archive's manifest.json lists no image");
    if (manifest.size() > 1)
        return fail(ErrorCode::InvalidArgument, "the archive holds " + std::to_string(manifest.size()) +
                                                    " images; save one image per archive");
    const json& image = manifest[0];
    ImagePlan plan;
    plan.format = "docker-archive";
    PV_TRY(std::vector<std::string> tags, textsAt(image, "RepoTags", "manifest.json"));
    if (!tags.empty())
        plan.reference = tags.front();
    std::string configName = textAt(image, "Config");
    PV_TRY(std::string configPath, cleanEntryName(configName, "manifest.json"));
    PV_TRY(fs::path configFile, outer.file(configPath));
    // Its name is its digest ("<hex>.json", or "blobs/sha256/<hex>").
    std::string stem = fs::path(configPath).filename().string();
    if (stem.size() > 5 && stem.substr(stem.size() - 5) == ".json")
        stem.resize(stem.size() - 5);
    if (!isHex64(stem))
        return fail(ErrorCode::InvalidArgument, "the image config " + quoteForMessage(configName) +
                                                    " is not named by its digest");
    PV_TRY_STATUS(verifyFile(configFile, stem, std::nullopt, "the image config"));
    plan.configHex = stem;
    PV_TRY(plan.config, readJson(configFile, "the image config"));
    PV_TRY(std::vector<std::string> layers, textsAt(image, "Layers", "manifest.json"));
    if (layers.size() > kMaxLayers)
        return fail(ErrorCode::InvalidArgument, "the image has more than " + std::to_string(kMaxLayers) + " layers");
    // The config names each layer's digest (of the uncompressed tar, which
    // is what docker archives hold).
    const json& rootfs = plan.config.is_object() && plan.config.contains("rootfs") ? plan.config["rootfs"] : json();
    PV_TRY(std::vector<std::string> diffIds, textsAt(rootfs, "diff_ids", "the image config"));
    if (diffIds.size() != layers.size())
        return fail(ErrorCode::InvalidArgument, "the image config lists " + std::to_string(diffIds.size()) +
                                                    " layer digests for " + std::to_string(layers.size()) +
                                                    " layers");
    for (std::size_t i = 0; i < layers.size(); ++i) {
        std::string what = "layer " + std::to_string(i + 1);
        PV_TRY(std::string path, cleanEntryName(layers[i], "manifest.json"));
        PV_TRY(fs::path file, outer.file(path));
        PV_TRY(std::string hex, digestHexOf(diffIds[i], what));
        PV_TRY_STATUS(verifyFile(file, hex, std::nullopt, what));
        plan.layers.push_back(file);
    }
    return plan;
}

// ---- applying a layer

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

Status clearDirectory(const protocol::BeneathDir& root, const std::string& rel)
{
    auto fd = root.openFile(rel, O_RDONLY | O_DIRECTORY);
    if (!fd)
        return fd.error().code == ErrorCode::NotFound ? Status{} : Status(fail(fd.error()));
    int dup = ::dup(fd->get());
    if (dup < 0)
        return failErrno("reading " + rel, errno);
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(dup), &::closedir);
    if (!dir) {
        ::close(dup);
        return failErrno("reading " + rel, errno);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir.get())) {
        std::string_view n(e->d_name);
        if (n != "." && n != "..")
            names.emplace_back(n);
    }
    for (const auto& n : names)
        PV_TRY_STATUS(root.removeTree(rel.empty() ? n : rel + "/" + n));
    return {};
}

struct LayerStats {
    std::size_t entries = 0;
    std::size_t devices = 0;
    std::int64_t newest = 0; // the newest mtime of its entries
};

// Pass 1: the layer's whiteouts, applied to what the lower layers left.
// (Applied before its files, so a directory the layer makes opaque and
// refills keeps the new files whatever their order in the tar.)
Status applyWhiteouts(const fs::path& layer, const protocol::BeneathDir& root, const std::string& what)
{
    PV_TRY(ArchiveReader reader, openReader(layer, what));
    archive_entry* entry = nullptr;
    std::size_t count = 0;
    for (;;) {
        int rc = archive_read_next_header(reader.get(), &entry);
        if (rc == ARCHIVE_EOF)
            return {};
        if (rc < ARCHIVE_WARN)
            return fail(ErrorCode::InvalidArgument, what + " is damaged: " + archiveMessage(reader.get()));
        if (++count > kMaxLayerEntries)
            return fail(ErrorCode::InvalidArgument,
                        what + " has more than " + std::to_string(kMaxLayerEntries) + " entries");
        const char* raw = archive_entry_pathname(entry);
        PV_TRY(std::string name, cleanEntryName(raw ? raw : "", what));
        fs::path p(name);
        std::string base = p.filename().string();
        if (base.rfind(kWhiteoutPrefix, 0) != 0)
            continue;
        std::string parent = p.parent_path().string();
        if (base == kOpaqueMarker) {
            PV_TRY_STATUS(clearDirectory(root, parent));
            continue;
        }
        std::string hidden = base.substr(kWhiteoutPrefix.size());
        if (hidden.empty() || hidden == "." || hidden == "..")
            return fail(ErrorCode::InvalidArgument, what + ": bad whiteout " + quoteForMessage(name));
        PV_TRY_STATUS(root.removeTree(parent.empty() ? hidden : parent + "/" + hidden));
    }
}

// An entry's existing directories must be directories, not symlinks: a
// layer that plants "etc -> /" and then writes "etc/passwd" is refused
// (libarchive alone would replace the link by a directory, silently
// changing the image). A directory not made yet is fine.
Status refuseSymlinkOnPath(const protocol::BeneathDir& root, const std::string& name, const std::string& what)
{
    std::string parent = fs::path(name).parent_path().string();
    if (parent.empty())
        return {};
    // ENOENT: not made yet; ENOTDIR: a file the layer replaces by a
    // directory (libarchive does, as overlayfs would show it).
    UniqueFd fd(protocol::openBeneath(root.fd(), parent.c_str(), O_PATH | O_DIRECTORY, 0));
    if (fd || (errno != ELOOP && errno != EXDEV))
        return {};
    return fail(ErrorCode::InvalidArgument,
                what + ": entry " + quoteForMessage(name) + " is refused: it goes through a symlink");
}

// Pass 2: every other entry, by libarchive's secure extraction under the
// (canonical, symlink-free) root.
Result<LayerStats> extractLayer(const fs::path& layer, const protocol::BeneathDir& root, const fs::path& rootDir,
                                const std::string& what)
{
    PV_TRY(ArchiveReader reader, openReader(layer, what));
    ArchiveWriter writer(archive_write_disk_new());
    if (!writer)
        return fail(ErrorCode::ResourceExhausted, "libarchive: out of memory");
    // No SECURE_NOABSOLUTEPATHS: names are ours by then (root + a checked
    // relative name); SECURE_SYMLINKS refuses to write through a symlink
    // an earlier entry or layer made, SECURE_NODOTDOT is a second guard.
    const int flags = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
                      ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
    archive_write_disk_set_options(writer.get(), flags);
    // No user or group lookup is installed: owners are the image's numbers,
    // never names looked up on this host.
    LayerStats stats;
    archive_entry* entry = nullptr;
    const std::string prefix = rootDir.string() + "/";
    for (;;) {
        int rc = archive_read_next_header(reader.get(), &entry);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN)
            return fail(ErrorCode::InvalidArgument, what + " is damaged: " + archiveMessage(reader.get()));
        const char* raw = archive_entry_pathname(entry);
        PV_TRY(std::string name, cleanEntryName(raw ? raw : "", what));
        if (fs::path(name).filename().string().rfind(kWhiteoutPrefix, 0) == 0)
            continue;
        // A hard link entry's type is not always set (tar's typeflag '1').
        const bool isHardlink = archive_entry_hardlink(entry) != nullptr;
        auto type = archive_entry_filetype(entry);
        if (!isHardlink && (type == AE_IFCHR || type == AE_IFBLK)) {
            ++stats.devices; // the container gets its own /dev
            continue;
        }
        if (!isHardlink && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO)
            continue; // sockets and unknown types
        if (name.empty()) {
            if (type != AE_IFDIR)
                return fail(ErrorCode::InvalidArgument, what + ": the root entry is not a directory");
            continue; // the root keeps its own owner and mode
        }
        ++stats.entries;
        stats.newest = std::max<std::int64_t>(stats.newest, archive_entry_mtime(entry));
        PV_TRY_STATUS(refuseSymlinkOnPath(root, name, what));
        archive_entry_set_pathname(entry, (prefix + name).c_str());
        // A hard link names a file the image already has, reached without
        // a symlink (never one outside: its bytes would go into the image).
        if (isHardlink) {
            const char* link = archive_entry_hardlink(entry);
            PV_TRY(std::string target, cleanEntryName(link, what));
            auto st = target.empty() ? Result<struct stat>(fail(ErrorCode::InvalidArgument, "it is the root"))
                                     : root.lstat(target);
            if (!st || S_ISDIR(st->st_mode))
                return fail(ErrorCode::InvalidArgument,
                            what + ": hard link " + quoteForMessage(name) + " to " + quoteForMessage(target) +
                                " is refused: " + (st ? std::string("a directory") : st.error().message));
            archive_entry_set_hardlink(entry, (prefix + target).c_str());
        }
        rc = archive_read_extract2(reader.get(), entry, writer.get());
        if (rc < ARCHIVE_WARN)
            return fail(ErrorCode::InvalidArgument,
                        what + ": cannot unpack " + quoteForMessage(name) + ": " + archiveMessage(writer.get()));
    }
    if (archive_write_close(writer.get()) != ARCHIVE_OK)
        return fail(ErrorCode::Internal, what + ": finishing the unpacked files: " + archiveMessage(writer.get()));
    return stats;
}

// Directories libarchive made for entries without their own (and those a
// whiteout emptied) have the time of the import: they take the newest time
// of the image's entries instead, so the same archive gives the same tree.
Status clampDirectoryTimes(const fs::path& rootDir, std::int64_t newest)
{
    const timespec times[2] = {{static_cast<time_t>(newest), 0}, {static_cast<time_t>(newest), 0}};
    std::error_code ec;
    fs::recursive_directory_iterator it(rootDir, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0)
            return failErrno("reading " + it->path().string(), errno);
        if (S_ISDIR(st.st_mode) && st.st_mtime > newest &&
            ::utimensat(AT_FDCWD, it->path().c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
            return failErrno("setting the time of " + it->path().string(), errno);
    }
    if (ec)
        return failErrno("walking " + rootDir.string(), ec.value());
    return {};
}

Result<protocol::ImageConfig> imageConfigOf(const json& config)
{
    if (!config.is_object())
        return fail(ErrorCode::InvalidArgument, "the image config is not an object");
    std::string os = textAt(config, "os"), arch = textAt(config, "architecture");
    if (!os.empty() && os != "linux")
        return fail(ErrorCode::InvalidArgument, "the image is for " + quoteForMessage(os) + ", not linux");
    if (!arch.empty() && arch != "amd64")
        return fail(ErrorCode::InvalidArgument,
                    "the image is for " + quoteForMessage(arch) + "; Pidvisor's VMs are amd64");
    const json& c = config.contains("config") && config["config"].is_object() ? config["config"] : json::object();
    protocol::ImageConfig out;
    PV_TRY(out.entrypoint, textsAt(c, "Entrypoint", "the image config"));
    PV_TRY(out.cmd, textsAt(c, "Cmd", "the image config"));
    PV_TRY(out.env, textsAt(c, "Env", "the image config"));
    std::string dir = textAt(c, "WorkingDir");
    out.workingDir = dir.empty() ? "/" : dir;
    out.user = textAt(c, "User");
    // The same checks the agent makes, here: a bad image is refused at
    // import, not at every start.
    PV_TRY(out, protocol::decode<protocol::ImageConfig>(protocol::encode(out), protocol::Unknown::Refuse,
                                                        "the image config"));
    return out;
}

} // namespace

std::string imageNameFromReference(const std::string& reference)
{
    std::string ref = reference;
    if (auto at = ref.find('@'); at != std::string::npos)
        ref.resize(at); // name@sha256:...
    std::string tag;
    auto slash = ref.rfind('/');
    auto colon = ref.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        tag = ref.substr(colon + 1);
        ref.resize(colon);
    }
    std::string name = slash == std::string::npos ? ref : ref.substr(ref.rfind('/') + 1);
    if (!tag.empty() && tag != "latest")
        name += "-" + tag;
    std::string out;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-';
        out += ok ? c : '-';
    }
    while (!out.empty() && out.front() == '.')
        out.erase(out.begin());
    if (out.size() > protocol::kMaxNameLength)
        out.resize(protocol::kMaxNameLength);
    return out;
}

Result<protocol::ImageInfo> importImageArchive(const fs::path& archivePath, const ImageStaging& staging,
                                               const std::optional<std::string>& name, const ProgressFn& progress)
{
    if (::geteuid() != 0)
        return fail(ErrorCode::PermissionDenied,
                    "importing an image needs root: only root can keep its files' owners (run it with sudo)");
    std::error_code ec;
    fs::path archive = fs::absolute(archivePath, ec);
    struct stat st {};
    if (ec || ::stat(archive.c_str(), &st) != 0)
        return failErrno("opening the archive " + archivePath.string(), ec ? ec.value() : errno);
    if (!S_ISREG(st.st_mode))
        return fail(ErrorCode::InvalidArgument, archivePath.string() + " is not a regular file");
    if (name)
        PV_TRY_STATUS(protocol::checkImageName("image name", *name));

    fs::path scratch = staging.dir / ".archive";
    PV_TRY(OuterArchive outer, OuterArchive::unpack(archive, scratch, progress));
    ImagePlan plan;
    if (outer.has("index.json") && outer.has("oci-layout")) {
        PV_TRY(plan, planOci(outer));
    } else if (outer.has("manifest.json")) {
        PV_TRY(plan, planDocker(outer));
    } else {
        return fail(ErrorCode::InvalidArgument, archivePath.string() +
                                                    " is neither an OCI archive (index.json, oci-layout) nor a "
                                                    "docker archive (manifest.json)");
    }
    PV_TRY(protocol::ImageConfig config, imageConfigOf(plan.config));

    fs::create_directories(staging.rootfs(), ec);
    if (ec)
        return failErrno("creating " + staging.rootfs().string(), ec.value());
    ::chmod(staging.rootfs().c_str(), 0755);
    fs::path rootDir = fs::canonical(staging.rootfs(), ec);
    if (ec)
        return failErrno("resolving " + staging.rootfs().string(), ec.value());
    PV_TRY(protocol::BeneathDir root, protocol::BeneathDir::open(rootDir.string()));
    std::size_t devices = 0;
    std::int64_t newest = 0;
    for (std::size_t i = 0; i < plan.layers.size(); ++i) {
        std::string what = "layer " + std::to_string(i + 1) + " of " + std::to_string(plan.layers.size());
        report(progress, "unpacking the layers", static_cast<int>(i * 100 / plan.layers.size()), what);
        PV_TRY_STATUS(applyWhiteouts(plan.layers[i], root, what));
        PV_TRY(LayerStats stats, extractLayer(plan.layers[i], root, rootDir, what));
        devices += stats.devices;
        newest = std::max(newest, stats.newest);
        fs::remove(plan.layers[i], ec); // its space back as soon as it is in
    }
    report(progress, "unpacking the layers", 100,
           devices ? std::to_string(devices) + " device nodes left out (the container has its own /dev)" : "");
    fs::remove_all(scratch, ec);
    if (ec)
        return failErrno("removing " + scratch.string(), ec.value());
    PV_TRY_STATUS(clampDirectoryTimes(rootDir, newest));

    PV_TRY_STATUS(resolveImageUser(rootDir, config));
    protocol::ImageInfo info;
    info.name = name ? *name : imageNameFromReference(plan.reference);
    if (info.name.empty()) {
        std::string file = archive.filename().string();
        info.name = imageNameFromReference(file.substr(0, file.find('.')));
    }
    if (info.name.empty())
        return fail(ErrorCode::InvalidArgument, "the archive names no image: give it a name (--name)");
    PV_TRY_STATUS(protocol::checkImageName("image name", info.name));
    info.digest = "sha256:" + plan.configHex;
    info.source = plan.format + " " + archive.string();
    if (!plan.reference.empty())
        info.source += " (" + plan.reference + ")";
    if (info.source.size() > 4096)
        info.source.resize(4096);
    PV_TRY(info.size, treeBytes(rootDir));
    info.config = std::move(config);
    PV_TRY_STATUS(writeImageInfo(staging, info));
    return info;
}

} // namespace pidvisor::manager
