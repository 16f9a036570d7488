#include "ControlFiles.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace pidvisor::agent {

Status writeControlFile(const std::string& path, const std::string& value)
{
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd)
        return failErrno("opening " + path, errno);
    ssize_t n = ::write(fd.get(), value.data(), value.size());
    if (n < 0)
        return failErrno("writing '" + value + "' to " + path, errno);
    if (static_cast<std::size_t>(n) != value.size())
        return failErrno("writing '" + value + "' to " + path + " (cut short)", EIO);
    return {};
}

} // namespace pidvisor::agent
