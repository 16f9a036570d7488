#include "Message.h"

namespace pidvisor::protocol {

using nlohmann::json;

Frame makeRequest(std::uint64_t id, std::string_view cmd, json args, std::string payload)
{
    return Frame{json{{"kind", "request"}, {"id", id}, {"cmd", cmd}, {"args", std::move(args)}},
                 std::move(payload)};
}

Frame makeResponse(std::uint64_t id, json result, std::string payload)
{
    return Frame{json{{"kind", "response"}, {"id", id}, {"ok", true}, {"result", std::move(result)}},
                 std::move(payload)};
}

Frame makeErrorResponse(std::uint64_t id, const Error& error)
{
    return Frame{json{{"kind", "response"},
                      {"id", id},
                      {"ok", false},
                      {"error", {{"code", errorCodeName(error.code)}, {"message", error.message}}}},
                 {}};
}

Frame makeProgress(const Progress& p)
{
    return Frame{json{{"kind", "progress"},
                      {"id", p.id},
                      {"stage", p.stage},
                      {"done", p.done},
                      {"total", p.total}},
                 {}};
}

std::string frameKind(const Frame& frame)
{
    auto it = frame.header.find("kind");
    if (it == frame.header.end() || !it->is_string())
        return {};
    return it->get<std::string>();
}

std::optional<std::uint64_t> frameId(const Frame& frame)
{
    auto it = frame.header.find("id");
    if (it == frame.header.end() || !it->is_number_integer())
        return std::nullopt;
    if (!it->is_number_unsigned() && it->get<std::int64_t>() < 0)
        return std::nullopt;
    return it->get<std::uint64_t>();
}

Result<Request> parseRequest(Frame frame)
{
    auto id = frameId(frame);
    if (!id || *id == kConnectionId)
        return fail(ErrorCode::ProtocolError, "request has no valid id (a positive integer)");
    if (frameKind(frame) != "request")
        return fail(ErrorCode::ProtocolError, "message kind is not 'request'");
    auto cmd = frame.header.find("cmd");
    if (cmd == frame.header.end() || !cmd->is_string() || cmd->get_ref<const std::string&>().empty())
        return fail(ErrorCode::ProtocolError, "request has no command name");
    Request request;
    request.id = *id;
    request.cmd = cmd->get<std::string>();
    if (auto args = frame.header.find("args"); args != frame.header.end() && !args->is_null()) {
        if (!args->is_object())
            return fail(ErrorCode::InvalidArgument, "request args must be an object");
        request.args = std::move(*args);
    }
    request.payload = std::move(frame.payload);
    return request;
}

Result<Response> parseResponse(Frame frame)
{
    auto id = frameId(frame);
    if (!id)
        return fail(ErrorCode::ProtocolError, "response has no valid id");
    if (frameKind(frame) != "response")
        return fail(ErrorCode::ProtocolError, "message kind is not 'response'");
    Response response;
    response.id = *id;
    response.payload = std::move(frame.payload);
    auto ok = frame.header.find("ok");
    if (ok == frame.header.end() || !ok->is_boolean())
        return fail(ErrorCode::ProtocolError, "response has no 'ok' flag");
    if (ok->get<bool>()) {
        auto result = frame.header.find("result");
        response.result = result == frame.header.end() ? json::object() : std::move(*result);
        return response;
    }
    auto error = frame.header.find("error");
    if (error == frame.header.end() || !error->is_object())
        return fail(ErrorCode::ProtocolError, "failed response has no error object");
    const auto* codeField = error->contains("code") ? &(*error)["code"] : nullptr;
    const auto* messageField = error->contains("message") ? &(*error)["message"] : nullptr;
    std::string codeName = codeField && codeField->is_string() ? codeField->get<std::string>() : "";
    std::string message = messageField && messageField->is_string() ? messageField->get<std::string>() : "";
    auto code = errorCodeFromName(codeName);
    response.result = tl::unexpected<Error>(Error{code.value_or(ErrorCode::Internal), message});
    return response;
}

Result<Progress> parseProgress(const Frame& frame)
{
    auto id = frameId(frame);
    if (!id || frameKind(frame) != "progress")
        return fail(ErrorCode::ProtocolError, "frame is not a progress message");
    Progress p;
    p.id = *id;
    try {
        p.stage = frame.header.value("stage", "");
        p.done = frame.header.value("done", std::uint64_t{0});
        p.total = frame.header.value("total", std::uint64_t{0});
    } catch (const json::exception&) {
        return fail(ErrorCode::ProtocolError, "progress message has fields of the wrong type");
    }
    return p;
}

Result<DataHeader> parseData(const Frame& frame)
{
    auto id = frameId(frame);
    if (!id || frameKind(frame) != "data")
        return fail(ErrorCode::ProtocolError, "frame is not a data message");
    const json& h = frame.header;
    auto stream = h.find("stream");
    if (stream == h.end() || !stream->is_string() || stream->get_ref<const std::string&>().empty())
        return fail(ErrorCode::ProtocolError, "data frame has no stream name (a non-empty string)");
    DataHeader d;
    d.id = *id;
    d.stream = stream->get<std::string>();
    if (auto offset = h.find("offset"); offset != h.end()) {
        if (!offset->is_number_integer() || (!offset->is_number_unsigned() && offset->get<std::int64_t>() < 0))
            return fail(ErrorCode::ProtocolError, "data frame's offset is not a non-negative integer");
        d.offset = offset->get<std::uint64_t>();
    }
    if (auto eof = h.find("eof"); eof != h.end()) {
        if (!eof->is_boolean())
            return fail(ErrorCode::ProtocolError, "data frame's eof flag is not a boolean");
        d.eof = eof->get<bool>();
    }
    if (auto link = h.find("symlink"); link != h.end() && !link->is_null()) {
        if (!link->is_string())
            return fail(ErrorCode::ProtocolError, "data frame's symlink target is not a string");
        d.symlink = link->get<std::string>();
    }
    return d;
}

} // namespace pidvisor::protocol
