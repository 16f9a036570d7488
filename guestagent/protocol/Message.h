// Messages: the meaning of a frame's header.
//
// Every header has "kind" and "id". A request ({"kind":"request","id":7,
// "cmd":"container-ps","args":{...}}) is answered by exactly one response
// with the same id, which may be preceded by progress and data frames with
// that id. Id 0 is the connection itself (errors about unreadable frames).
// PROTOCOL.md is the full contract.
#pragma once

#include "Frame.h"

#include <cstdint>
#include <string>

namespace pidvisor::protocol {

inline constexpr std::uint64_t kConnectionId = 0;

struct Request {
    std::uint64_t id = 0;
    std::string cmd;
    nlohmann::json args = nlohmann::json::object();
    std::string payload;
};

struct Response {
    std::uint64_t id = 0;
    Result<nlohmann::json> result;
    std::string payload;
};

struct Progress {
    std::uint64_t id = 0;
    std::string stage;
    std::uint64_t done = 0;
    std::uint64_t total = 0; // 0 when unknown
};

[[nodiscard]] Frame makeRequest(std::uint64_t id, std::string_view cmd, nlohmann::json args,
                                std::string payload = {});
[[nodiscard]] Frame makeResponse(std::uint64_t id, nlohmann::json result, std::string payload = {});
[[nodiscard]] Frame makeErrorResponse(std::uint64_t id, const Error& error);
[[nodiscard]] Frame makeProgress(const Progress& progress);

// The kind of a header ("request", "response", "progress", "data"), or "".
[[nodiscard]] std::string frameKind(const Frame& frame);
// The id of a header, or nullopt when it has none that is valid.
[[nodiscard]] std::optional<std::uint64_t> frameId(const Frame& frame);

[[nodiscard]] Result<Request> parseRequest(Frame frame);
[[nodiscard]] Result<Response> parseResponse(Frame frame);
[[nodiscard]] Result<Progress> parseProgress(const Frame& frame);

// The header of a data frame of a checkpoint stream ({"kind":"data","id":N,
// "stream":PATH,"offset":N,"eof":bool,"symlink":TARGET?}). Every field of
// the wrong type is a ProtocolError: what a peer sends never throws.
struct DataHeader {
    std::uint64_t id = 0;
    std::string stream;
    std::uint64_t offset = 0;
    bool eof = false;
    std::optional<std::string> symlink;
};
[[nodiscard]] Result<DataHeader> parseData(const Frame& frame);

} // namespace pidvisor::protocol
