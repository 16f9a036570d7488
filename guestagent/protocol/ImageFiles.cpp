#include "ImageFiles.h"

#include "Frame.h"
#include "Schema.h"
#include "UniqueFd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace pidvisor::protocol {

Result<ImageInfo> readImageInfoFile(const std::string& file)
{
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd)
        return failErrno("opening " + file, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > static_cast<off_t>(kMaxImageInfoBytes))
        return fail(ErrorCode::InvalidArgument, file + " is not a regular file of at most 1 MiB");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    if (::pread(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        return failErrno("reading " + file, errno);
    PV_TRY_STATUS(checkJsonShape(text));
    auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded())
        return fail(ErrorCode::InvalidArgument, file + " is not JSON");
    return decode<ImageInfo>(json, Unknown::Ignore, "image.json");
}

std::string digestHex(std::string_view digest)
{
    auto colon = digest.find(':');
    return std::string(colon == std::string_view::npos ? digest : digest.substr(colon + 1));
}

} // namespace pidvisor::protocol
