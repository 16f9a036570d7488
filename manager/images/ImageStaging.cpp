#include "ImageStaging.h"

#include "protocol/BeneathDir.h"
#include "protocol/Checks.h"
#include "protocol/Names.h"
#include "protocol/Schema.h"
#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <set>
#include <utility>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using protocol::quoteForMessage;

namespace {

// /etc/passwd and /etc/group of an image are read as data, bounded.
constexpr std::size_t kMaxAccountsBytes = 4 << 20;

Result<std::string> readBounded(int fd, const std::string& what, std::size_t limit)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return failErrno("reading " + what, errno);
    if (!S_ISREG(st.st_mode))
        return fail(ErrorCode::InvalidArgument, what + " is not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > limit)
        return fail(ErrorCode::InvalidArgument,
                    what + " is larger than " + std::to_string(limit) + " bytes");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::pread(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno("reading " + what, errno);
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    text.resize(done);
    return text;
}

std::optional<std::int64_t> parseId(std::string_view text)
{
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 4294967294)
        return std::nullopt;
    return value;
}

// One line of /etc/passwd or /etc/group: fields split on ':'.
std::vector<std::string_view> splitFields(std::string_view line)
{
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        std::size_t colon = line.find(':', start);
        fields.push_back(line.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos)
            return fields;
        start = colon + 1;
    }
}

struct Account {
    std::int64_t id = 0;
    std::int64_t gid = 0; // passwd only: the primary group
};

// name -> ids from an accounts file (name:x:id[:gid:...]); a file the image
// lacks is empty.
Result<std::vector<std::pair<std::string, Account>>> readAccounts(const protocol::BeneathDir& root,
                                                                  std::string_view rel, bool withGroup)
{
    std::vector<std::pair<std::string, Account>> accounts;
    auto fd = root.openFile(rel, O_RDONLY | O_NONBLOCK);
    if (!fd) {
        if (fd.error().code == ErrorCode::NotFound)
            return accounts;
        return fail(fd.error());
    }
    PV_TRY(std::string text, readBounded(fd->get(), "the image's /" + std::string(rel), kMaxAccountsBytes));
    std::string_view rest(text);
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        auto fields = splitFields(line);
        if (fields.size() < (withGroup ? 4u : 3u) || fields[0].empty())
            continue;
        auto id = parseId(fields[2]);
        auto gid = withGroup ? parseId(fields[3]) : std::optional<std::int64_t>(0);
        if (!id || !gid)
            continue;
        accounts.emplace_back(std::string(fields[0]), Account{*id, *gid});
    }
    return accounts;
}

std::optional<Account> lookup(const std::vector<std::pair<std::string, Account>>& accounts, std::string_view name)
{
    for (const auto& [n, a] : accounts)
        if (n == name)
            return a;
    return std::nullopt;
}

} // namespace

Status writeImageInfo(const ImageStaging& staging, const protocol::ImageInfo& info)
{
    nlohmann::json json = protocol::encode(info);
    // What the agent will read back must pass its checks: decode it here.
    PV_TRY_STATUS(protocol::decode<protocol::ImageInfo>(json, protocol::Unknown::Refuse, "image.json"));
    std::string text = json.dump(2) + "\n";
    fs::path temp = staging.dir / ".image.json.tmp";
    {
        UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
        if (!fd)
            return failErrno("writing " + temp.string(), errno);
        std::size_t done = 0;
        while (done < text.size()) {
            ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return failErrno("writing " + temp.string(), errno);
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd.get()) != 0)
            return failErrno("writing " + temp.string(), errno);
    }
    if (::rename(temp.c_str(), staging.infoFile().c_str()) != 0)
        return failErrno("renaming " + temp.string(), errno);
    return {};
}

Result<std::int64_t> treeBytes(const fs::path& root)
{
    std::int64_t bytes = 0;
    std::set<std::pair<dev_t, ino_t>> seen;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0)
            return failErrno("reading " + it->path().string(), errno);
        if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
            continue;
        if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second)
            continue;
        bytes += st.st_size;
    }
    if (ec)
        return failErrno("walking " + root.string(), ec.value());
    return bytes;
}

Status resolveImageUser(const fs::path& rootfs, protocol::ImageConfig& config)
{
    config.uid.reset();
    config.gid.reset();
    if (config.user.empty())
        return {};
    std::string_view user(config.user);
    std::string_view group;
    bool hasGroup = false;
    if (auto colon = user.find(':'); colon != std::string_view::npos) {
        group = user.substr(colon + 1);
        user = user.substr(0, colon);
        hasGroup = true;
    }
    if (user.empty() || (hasGroup && group.empty()))
        return fail(ErrorCode::InvalidArgument, "image user " + quoteForMessage(config.user) +
                                                    " is not USER, UID, USER:GROUP or UID:GID");
    PV_TRY(protocol::BeneathDir root, protocol::BeneathDir::open(rootfs.string()));
    PV_TRY(auto passwd, readAccounts(root, "etc/passwd", true));
    std::int64_t uid = 0;
    std::int64_t gid = 0;
    if (auto id = parseId(user)) {
        uid = *id;
        // A number the image does not list runs with group 0, as runc does.
        for (const auto& [name, account] : passwd)
            if (account.id == uid) {
                gid = account.gid;
                break;
            }
    } else if (auto account = lookup(passwd, user)) {
        uid = account->id;
        gid = account->gid;
    } else {
        return fail(ErrorCode::InvalidArgument,
                    "image user " + quoteForMessage(std::string(user)) + " is not in the image's /etc/passwd");
    }
    if (hasGroup) {
        if (auto id = parseId(group)) {
            gid = *id;
        } else {
            PV_TRY(auto groups, readAccounts(root, "etc/group", false));
            auto account = lookup(groups, group);
            if (!account)
                return fail(ErrorCode::InvalidArgument, "image group " + quoteForMessage(std::string(group)) +
                                                            " is not in the image's /etc/group");
            gid = account->id;
        }
    }
    config.uid = uid;
    config.gid = gid;
    return {};
}

} // namespace pidvisor::manager
