#include "Session.h"

#include "Log.h"

#include "protocol/FrameChannel.h"
#include "protocol/Message.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace pidvisor::agent {

using protocol::Frame;

namespace {
// A frame that stops arriving half-way is dropped after this long, so a
// host that reconnected mid-frame is understood again.
constexpr auto kStalledFrame = std::chrono::seconds(3);
// Data frames queued for a request that does not read them fast enough.
constexpr std::size_t kMaxQueuedFrames = 8;

class SessionContext final : public RequestContext {
public:
    SessionContext(std::shared_ptr<Session::Shared> shared, std::uint64_t id, std::shared_ptr<Session::Inbox> inbox)
        : m_shared(std::move(shared)), m_id(id), m_inbox(std::move(inbox))
    {
    }

    void progress(const std::string& stage, std::uint64_t done, std::uint64_t total) override
    {
        Session::send(*m_shared, protocol::makeProgress({m_id, stage, done, total}));
    }

    Status sendData(nlohmann::json header, std::string_view payload) override
    {
        header["kind"] = "data";
        header["id"] = m_id;
        // The payload (a megabyte of checkpoint) goes out as it is: every
        // copy costs under TCG.
        PV_TRY(std::string prefix, protocol::encodeFramePrefix(header, payload.size()));
        std::lock_guard lock(m_shared->writeMutex);
        PV_TRY_STATUS(protocol::writeAll(m_shared->fd.get(), prefix));
        return protocol::writeAll(m_shared->fd.get(), payload);
    }

    Status sendRaw(std::string_view bytes) override
    {
        std::lock_guard lock(m_shared->writeMutex);
        return protocol::writeAll(m_shared->fd.get(), bytes);
    }

    Result<Frame> receiveData(std::chrono::milliseconds timeout) override
    {
        std::unique_lock lock(m_inbox->mutex);
        if (!m_inbox->arrived.wait_for(lock, timeout, [&] { return !m_inbox->frames.empty(); }))
            return fail(ErrorCode::Timeout, "no data arrived for request " + std::to_string(m_id) + " within " +
                                                std::to_string(timeout.count() / 1000) + " s");
        Frame f = std::move(m_inbox->frames.front());
        m_inbox->frames.pop_front();
        m_inbox->arrived.notify_all();
        return f;
    }

private:
    std::shared_ptr<Session::Shared> m_shared;
    std::uint64_t m_id;
    std::shared_ptr<Session::Inbox> m_inbox;
};
} // namespace

Session::Session(UniqueFd fd, const Dispatcher& dispatcher, Kind kind)
    : m_shared(std::make_shared<Shared>()), m_dispatcher(dispatcher), m_kind(kind)
{
    m_shared->fd = std::move(fd);
}

void Session::send(Shared& shared, const Frame& frame)
{
    auto bytes = protocol::encodeFrame(frame);
    if (!bytes) {
        bytes = protocol::encodeFrame(protocol::makeErrorResponse(
            protocol::frameId(frame).value_or(protocol::kConnectionId), bytes.error()));
        if (!bytes)
            return;
    }
    std::lock_guard lock(shared.writeMutex);
    (void)protocol::writeAll(shared.fd.get(), *bytes);
}

bool Session::waitReadable()
{
    auto lastData = std::chrono::steady_clock::now();
    for (;;) {
        pollfd p{m_shared->fd.get(), POLLIN, 0};
        int r = ::poll(&p, 1, 500);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return false;
        if (r > 0 && (p.revents & POLLIN))
            return true;
        if (r > 0 && (p.revents & (POLLHUP | POLLERR))) {
            if (m_kind != Kind::HostDevice)
                return true; // read() reports the EOF
            // The host is not connected: forget any half frame and wait.
            m_reader.reset();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        if (m_reader.midFrame() && std::chrono::steady_clock::now() - lastData > kStalledFrame) {
            logInfo("dropping a frame that stalled half-way");
            m_reader.reset();
            lastData = std::chrono::steady_clock::now();
        }
    }
}

void Session::run()
{
    char buf[65536];
    for (;;) {
        if (!waitReadable())
            return;
        ssize_t n = ::read(m_shared->fd.get(), buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            if (m_kind == Kind::HostDevice) {
                if (n < 0 && errno != EIO)
                    return;
                m_reader.reset();
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                continue;
            }
            if (m_kind == Kind::Socket && m_reader.buffered() > 0 && m_reader.midFrame())
                send(*m_shared, protocol::makeErrorResponse(
                                    protocol::kConnectionId,
                                    Error{ErrorCode::ProtocolError, "connection closed inside a frame (" +
                                                                        std::to_string(m_reader.buffered()) +
                                                                        " bytes of it received)"}));
            ::shutdown(m_shared->fd.get(), SHUT_WR);
            return;
        }
        m_reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        while (auto event = m_reader.next()) {
            if (!*event)
                send(*m_shared, protocol::makeErrorResponse(protocol::kConnectionId, event->error()));
            else
                onFrame(std::move(**event));
        }
    }
}

void Session::onData(Frame frame)
{
    auto id = protocol::frameId(frame).value_or(protocol::kConnectionId);
    std::shared_ptr<Inbox> inbox;
    {
        std::lock_guard lock(m_shared->inboxMutex);
        auto it = m_shared->inboxes.find(id);
        if (it != m_shared->inboxes.end())
            inbox = it->second;
    }
    if (!inbox) {
        send(*m_shared, protocol::makeErrorResponse(
                            protocol::kConnectionId,
                            Error{ErrorCode::ProtocolError, "data frame for request " + std::to_string(id) +
                                                                ", which is not in flight"}));
        return;
    }
    std::unique_lock lock(inbox->mutex);
    // Back-pressure: the reader waits while the handler catches up.
    inbox->arrived.wait_for(lock, std::chrono::seconds(30), [&] { return inbox->frames.size() < kMaxQueuedFrames; });
    inbox->frames.push_back(std::move(frame));
    inbox->arrived.notify_all();
}

void Session::onFrame(Frame frame)
{
    if (protocol::frameKind(frame) == "data") {
        onData(std::move(frame));
        return;
    }
    auto id = protocol::frameId(frame).value_or(protocol::kConnectionId);
    auto request = protocol::parseRequest(std::move(frame));
    if (!request) {
        send(*m_shared, protocol::makeErrorResponse(id, request.error()));
        return;
    }
    if (m_shared->inFlight.fetch_add(1) >= kMaxInFlight) {
        m_shared->inFlight.fetch_sub(1);
        send(*m_shared, protocol::makeErrorResponse(
                            request->id, Error{ErrorCode::ResourceExhausted,
                                               "more than " + std::to_string(kMaxInFlight) +
                                                   " requests in flight on this connection"}));
        return;
    }
    auto inbox = std::make_shared<Inbox>();
    {
        std::lock_guard lock(m_shared->inboxMutex);
        m_shared->inboxes[request->id] = inbox;
    }
    // Each request on its own thread: a long exec does not hold up a ps.
    std::thread([shared = m_shared, &dispatcher = m_dispatcher, req = std::move(*request), inbox]() mutable {
        SessionContext context(shared, req.id, inbox);
        auto reply = dispatcher.handle(req, context);
        {
            std::lock_guard lock(shared->inboxMutex);
            shared->inboxes.erase(req.id);
        }
        if (reply)
            send(*shared, protocol::makeResponse(req.id, std::move(reply->result), std::move(reply->payload)));
        else
            send(*shared, protocol::makeErrorResponse(req.id, reply.error()));
        shared->inFlight.fetch_sub(1);
    }).detach();
}

} // namespace pidvisor::agent
