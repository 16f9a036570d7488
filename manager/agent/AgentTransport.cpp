#include "AgentTransport.h"

#include "libvirt/Connection.h"

#include "protocol/FrameChannel.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pidvisor::manager {

namespace {

class UnixTransport final : public AgentTransport {
public:
    UnixTransport(UniqueFd fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}

    Status write(std::string_view bytes) override { return protocol::writeAll(m_fd.get(), bytes); }

    Result<std::string> read(std::chrono::milliseconds timeout) override
    {
        pollfd p{m_fd.get(), POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (r < 0 && errno != EINTR)
            return failErrno("waiting for the agent on " + m_path, errno);
        if (r <= 0)
            return std::string{};
        char buf[65536];
        ssize_t n = ::read(m_fd.get(), buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return std::string{};
        if (n < 0)
            return failErrno("reading from the agent on " + m_path, errno);
        if (n == 0)
            return fail(ErrorCode::Unavailable, "the agent channel " + m_path + " closed");
        return std::string(buf, static_cast<std::size_t>(n));
    }

    std::string describe() const override { return "unix socket " + m_path; }

    void interrupt() override { (void)::shutdown(m_fd.get(), SHUT_RDWR); }

private:
    UniqueFd m_fd;
    std::string m_path;
};

// All virStream calls happen under one mutex in non-blocking mode: reads on
// libvirt's event thread (readable callback), writes on callers' threads.
struct StreamState {
    std::mutex mutex;
    std::condition_variable readable;
    StreamPtr stream;
    std::string buffer;
    bool ended = false;
    std::string why;
};

void onStreamEvent(virStreamPtr, int events, void* opaque)
{
    auto& st = **static_cast<std::shared_ptr<StreamState>*>(opaque);
    std::lock_guard lock(st.mutex);
    if (st.ended)
        return;
    char buf[65536];
    for (;;) {
        int n = virStreamRecv(st.stream.get(), buf, sizeof buf);
        if (n > 0) {
            st.buffer.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == -2)
            break;
        st.ended = true;
        st.why = n == 0 ? "the VM closed the stream" : libvirtError("reading the stream").message;
        virResetLastError();
        break;
    }
    if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)) {
        st.ended = true;
        if (st.why.empty())
            st.why = "the stream hung up";
    }
    if (st.ended)
        virStreamEventRemoveCallback(st.stream.get());
    st.readable.notify_all();
}

class StreamTransport final : public AgentTransport {
public:
    StreamTransport(std::shared_ptr<StreamState> state, std::string what)
        : m_state(std::move(state)), m_what(std::move(what))
    {
    }

    ~StreamTransport() override
    {
        std::lock_guard lock(m_state->mutex);
        if (!m_state->ended)
            virStreamEventRemoveCallback(m_state->stream.get());
        m_state->ended = true;
        virStreamAbort(m_state->stream.get());
        virResetLastError();
    }

    Status write(std::string_view bytes) override
    {
        while (!bytes.empty()) {
            int n;
            {
                std::lock_guard lock(m_state->mutex);
                if (m_state->ended)
                    return fail(ErrorCode::Unavailable, m_what + " ended: " + m_state->why);
                n = virStreamSend(m_state->stream.get(), bytes.data(), bytes.size());
            }
            if (n == -2) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            if (n < 0)
                return fail(libvirtError("writing to " + m_what));
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return {};
    }

    Result<std::string> read(std::chrono::milliseconds timeout) override
    {
        std::unique_lock lock(m_state->mutex);
        m_state->readable.wait_for(lock, timeout, [&] { return !m_state->buffer.empty() || m_state->ended; });
        if (!m_state->buffer.empty())
            return std::exchange(m_state->buffer, {});
        if (m_state->ended)
            return fail(ErrorCode::Unavailable, m_what + " ended: " + m_state->why);
        return std::string{};
    }

    std::string describe() const override { return m_what; }

    void interrupt() override
    {
        std::lock_guard lock(m_state->mutex);
        if (m_state->ended)
            return;
        virStreamEventRemoveCallback(m_state->stream.get());
        virResetLastError();
        m_state->ended = true;
        m_state->why = "closed by the manager";
        m_state->readable.notify_all();
    }

private:
    std::shared_ptr<StreamState> m_state;
    std::string m_what;
};

} // namespace

Result<std::unique_ptr<AgentTransport>> openUnixTransport(const std::string& path)
{
    auto fd = protocol::connectUnixSocket(path);
    if (!fd)
        return fail(fd.error());
    return std::unique_ptr<AgentTransport>(std::make_unique<UnixTransport>(std::move(*fd), path));
}

std::unique_ptr<AgentTransport> adoptSocketTransport(UniqueFd fd, const std::string& what)
{
    return std::make_unique<UnixTransport>(std::move(fd), what);
}

Result<std::unique_ptr<AgentTransport>> openStreamTransport(const Connection& conn, const std::string& domain,
                                                            const std::string& name, bool console)
{
    PV_TRY(DomainPtr dom, conn.lookup(domain));
    auto state = std::make_shared<StreamState>();
    state->stream.reset(virStreamNew(conn.raw(), VIR_STREAM_NONBLOCK));
    if (!state->stream)
        return fail(libvirtError("creating a libvirt stream"));
    std::string what = console ? "the console of VM '" + domain + "'"
                               : "channel " + name + " of VM '" + domain + "' (libvirt stream)";
    int rc = console ? virDomainOpenConsole(dom.get(), nullptr, state->stream.get(), VIR_DOMAIN_CONSOLE_FORCE)
                     : virDomainOpenChannel(dom.get(), name.c_str(), state->stream.get(), VIR_DOMAIN_CHANNEL_FORCE);
    if (rc < 0)
        return fail(libvirtError("opening " + what));
    auto* opaque = new std::shared_ptr<StreamState>(state);
    if (virStreamEventAddCallback(state->stream.get(),
                                  VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
                                  onStreamEvent, opaque,
                                  [](void* p) { delete static_cast<std::shared_ptr<StreamState>*>(p); }) < 0) {
        delete opaque;
        return fail(libvirtError("watching " + what));
    }
    return std::unique_ptr<AgentTransport>(std::make_unique<StreamTransport>(state, what));
}

} // namespace pidvisor::manager
