// RequestContext: what a command handler may do besides answering: report
// progress, stream data frames to the requester, and receive the data
// frames the requester sends with its request (uploads).
#pragma once

#include "protocol/Frame.h"

#include <chrono>
#include <string>

namespace pidvisor::agent {

class RequestContext {
public:
    virtual ~RequestContext() = default;
    virtual void progress(const std::string& stage, std::uint64_t done, std::uint64_t total) = 0;
    // `header` holds the data frame's fields besides kind and id (stream,
    // offset, eof, ...).
    [[nodiscard]] virtual Status sendData(nlohmann::json header, std::string_view payload) = 0;
    // The next data frame of this request; Timeout when none came in time.
    [[nodiscard]] virtual Result<protocol::Frame> receiveData(std::chrono::milliseconds timeout) = 0;
    // Bytes straight onto the stream, outside any frame. No command of
    // protocol 3 uses it (debug-raw-read is gone); Session still provides it.
    [[nodiscard]] virtual Status sendRaw(std::string_view bytes) = 0;
};

// For handlers called outside a session (tests): progress is dropped,
// data cannot flow.
class DetachedContext final : public RequestContext {
public:
    void progress(const std::string&, std::uint64_t, std::uint64_t) override {}
    Status sendData(nlohmann::json, std::string_view) override
    {
        return fail(ErrorCode::Unsupported, "this request has no stream to send data on");
    }
    Result<protocol::Frame> receiveData(std::chrono::milliseconds) override
    {
        return fail(ErrorCode::Unsupported, "this request has no stream to receive data from");
    }
    Status sendRaw(std::string_view) override
    {
        return fail(ErrorCode::Unsupported, "this request has no stream to send data on");
    }
};

} // namespace pidvisor::agent
