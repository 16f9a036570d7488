#include "FrameChannel.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace pidvisor::protocol {

Status writeAll(int fd, std::string_view bytes)
{
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, 1000);
                continue;
            }
            return failErrno("writing to the agent channel", errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Status FrameChannel::send(const Frame& frame)
{
    PV_TRY(std::string bytes, encodeFrame(frame));
    return sendRaw(bytes);
}

Status FrameChannel::sendRaw(std::string_view bytes)
{
    std::lock_guard lock(m_writeMutex);
    return writeAll(m_fd.get(), bytes);
}

Result<Frame> FrameChannel::receive(std::optional<std::chrono::milliseconds> timeout)
{
    auto deadline = timeout ? std::chrono::steady_clock::now() + *timeout
                            : std::chrono::steady_clock::time_point::max();
    char buf[65536];
    for (;;) {
        if (auto event = m_reader.next())
            return std::move(*event);
        int waitMs = -1;
        if (timeout) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return fail(ErrorCode::Timeout, "no answer from the agent within " +
                                                    std::to_string(timeout->count()) + " ms");
            waitMs = static_cast<int>(left.count());
        }
        pollfd p{m_fd.get(), POLLIN, 0};
        int r = ::poll(&p, 1, waitMs);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return failErrno("waiting for the agent", errno);
        if (r == 0)
            continue; // the deadline check above reports the timeout
        ssize_t n = ::read(m_fd.get(), buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return failErrno("reading from the agent channel", errno);
        if (n == 0)
            return fail(ErrorCode::Unavailable, "the agent closed the connection");
        m_reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
}

Result<UniqueFd> connectUnixSocket(const std::string& path, std::chrono::milliseconds timeout)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        return fail(ErrorCode::InvalidArgument, "socket path '" + path + "' is too long");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd)
        return failErrno("creating a socket", errno);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        int err = errno;
        if (err == EAGAIN || err == EINPROGRESS) {
            pollfd p{fd.get(), POLLOUT, 0};
            int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
            if (r == 0)
                return fail(ErrorCode::Timeout, path + " does not accept connections (busy with another client?)");
            socklen_t len = sizeof err;
            err = 0;
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        }
        if (err != 0) {
            Error e = errnoError("connecting to " + path, err);
            if (err == ENOENT || err == ECONNREFUSED)
                e.code = ErrorCode::Unavailable;
            return fail(e);
        }
    }
    // Blocking from here: readers poll themselves.
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    return fd;
}

} // namespace pidvisor::protocol
