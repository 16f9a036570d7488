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
// Data frames queued for a request that does not read them fast enough.
constexpr std::size_t kMaxQueuedFrames = 8;

std::size_t frameBytes(const Frame& f)
{
    return f.payload.size() + 4096; // the header, roughly, as parsed
}

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
        std::size_t n = frameBytes(f);
        m_inbox->bytes -= n;
        m_shared->queuedBytes -= n;
        if (m_shared->countsBytes)
            m_shared->budget->releaseBytes(n);
        m_inbox->arrived.notify_all();
        return f;
    }

private:
    std::shared_ptr<Session::Shared> m_shared;
    std::uint64_t m_id;
    std::shared_ptr<Session::Inbox> m_inbox;
};
} // namespace

Session::Session(UniqueFd fd, const Dispatcher& dispatcher, Kind kind, ServerBudget& budget,
                 std::shared_ptr<ServerBudget::Connection> conn)
    : m_shared(std::make_shared<Shared>()), m_dispatcher(dispatcher), m_kind(kind)
{
    m_shared->fd = std::move(fd);
    m_shared->budget = &budget;
    m_shared->countsBytes = conn != nullptr;
    m_shared->conn = conn ? std::move(conn) : budget.unlisted();
}

Session::~Session()
{
    if (m_shared->countsBytes)
        m_shared->budget->releaseBytes(m_charged);
    // Frames still queued for requests that never read them.
    std::lock_guard lock(m_shared->inboxMutex);
    for (auto& [id, inbox] : m_shared->inboxes) {
        std::lock_guard inboxLock(inbox->mutex);
        if (m_shared->countsBytes)
            m_shared->budget->releaseBytes(inbox->bytes);
        m_shared->queuedBytes -= inbox->bytes;
        inbox->bytes = 0;
        std::deque<Frame>().swap(inbox->frames);
    }
}

void Session::dropFrame(const std::string& why)
{
    logInfo("dropping a frame: " + why);
    m_reader.reset();
    settleCharge();
    m_frameStarted.reset();
    m_shared->conn->midFrame = false;
    send(*m_shared, protocol::makeErrorResponse(protocol::kConnectionId, Error{ErrorCode::ProtocolError, why}));
}

bool Session::chargeRead(std::size_t n)
{
    std::size_t held = m_reader.buffered() + n;
    if (held + m_shared->queuedBytes > kMaxBufferedPerConnection) {
        dropFrame("more than " + std::to_string(kMaxBufferedPerConnection) +
                  " bytes of frames buffered on this connection");
        return false;
    }
    std::size_t want = held > kUncountedPerConnection ? held - kUncountedPerConnection : 0;
    if (!m_shared->countsBytes || want <= m_charged)
        return true;
    if (!m_shared->budget->reserveBytes(want - m_charged)) {
        m_reader.reset();
        settleCharge();
        m_frameStarted.reset();
        m_shared->conn->midFrame = false;
        send(*m_shared, protocol::makeErrorResponse(
                            protocol::kConnectionId,
                            Error{ErrorCode::ResourceExhausted, "the agent holds " + std::to_string(kMaxBufferedTotal) +
                                                                    " bytes of partly received frames; try again"}));
        return false;
    }
    m_charged = want;
    return true;
}

void Session::settleCharge()
{
    std::size_t held = m_reader.buffered();
    std::size_t now = held > kUncountedPerConnection ? held - kUncountedPerConnection : 0;
    if (m_shared->countsBytes && now < m_charged)
        m_shared->budget->releaseBytes(m_charged - now);
    m_charged = std::min(m_charged, now);
}

void Session::noteFrameStart()
{
    bool mid = m_reader.midFrame();
    m_shared->conn->midFrame = mid;
    if (!mid)
        m_frameStarted.reset();
    else if (!m_frameStarted)
        m_frameStarted = std::chrono::steady_clock::now();
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
    for (;;) {
        // A frame gets kFrameDeadline from its first byte, however slowly
        // the rest trickles in (a per-read timer would restart each byte).
        int timeout = 500;
        if (m_frameStarted) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*m_frameStarted + kFrameDeadline -
                                                                              std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                dropFrame("frame not complete within " + std::to_string(kFrameDeadline.count() / 1000) +
                          " s of its first byte");
                continue;
            }
            timeout = static_cast<int>(std::min<std::int64_t>(timeout, left.count() + 1));
        }
        pollfd p{m_shared->fd.get(), POLLIN, 0};
        int r = ::poll(&p, 1, timeout);
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
            settleCharge();
            m_frameStarted.reset();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
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
                settleCharge();
                m_frameStarted.reset();
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
        if (!chargeRead(static_cast<std::size_t>(n))) {
            if (m_kind == Kind::Socket) {
                ::shutdown(m_shared->fd.get(), SHUT_RDWR);
                return;
            }
            continue;
        }
        m_shared->conn->touch();
        if (!m_frameStarted)
            m_frameStarted = std::chrono::steady_clock::now();
        m_reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        while (auto event = m_reader.next()) {
            if (!*event)
                send(*m_shared, protocol::makeErrorResponse(protocol::kConnectionId, event->error()));
            else
                onFrame(std::move(**event));
            // The next frame's deadline starts with its own first byte.
            m_frameStarted.reset();
            if (m_reader.midFrame())
                m_frameStarted = std::chrono::steady_clock::now();
        }
        settleCharge();
        noteFrameStart();
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
    std::size_t n = frameBytes(frame);
    std::unique_lock lock(inbox->mutex);
    // Back-pressure: the reader waits while the handler catches up.
    bool room = inbox->arrived.wait_for(lock, std::chrono::seconds(30), [&] {
        return inbox->frames.empty() ||
               (inbox->frames.size() < kMaxQueuedFrames && m_shared->queuedBytes + n <= kMaxBufferedPerConnection / 2);
    });
    if (!room || (m_shared->countsBytes && !m_shared->budget->reserveBytes(n))) {
        lock.unlock();
        send(*m_shared, protocol::makeErrorResponse(
                            id, Error{ErrorCode::ResourceExhausted, "data frame refused: the agent's receive buffers are full"}));
        return;
    }
    inbox->bytes += n;
    m_shared->queuedBytes += n;
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
    std::string why;
    if (!m_shared->budget->startRequest(*m_shared->conn, &why)) {
        send(*m_shared, protocol::makeErrorResponse(request->id, Error{ErrorCode::ResourceExhausted, why}));
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
        {
            // Data frames the handler did not read.
            std::lock_guard lock(inbox->mutex);
            if (shared->countsBytes)
                shared->budget->releaseBytes(inbox->bytes);
            shared->queuedBytes -= inbox->bytes;
            inbox->bytes = 0;
            std::deque<Frame>().swap(inbox->frames);
        }
        if (reply)
            send(*shared, protocol::makeResponse(req.id, std::move(reply->result), std::move(reply->payload)));
        else
            send(*shared, protocol::makeErrorResponse(req.id, reply.error()));
        shared->budget->endRequest(*shared->conn);
    }).detach();
}

} // namespace pidvisor::agent
