#include "Frame.h"

namespace pidvisor::protocol {

namespace {

void putU32(std::string& out, std::uint32_t v)
{
    out.push_back(static_cast<char>((v >> 24) & 0xff));
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
}

std::uint32_t getU32(const char* p)
{
    auto b = [p](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
    return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

} // namespace

Result<std::string> encodeFramePrefix(const nlohmann::json& header, std::size_t payloadSize)
{
    std::string text = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > kMaxHeaderSize)
        return fail(ErrorCode::ResourceExhausted, "frame header of " + std::to_string(text.size()) +
                                                      " bytes exceeds the limit of " + std::to_string(kMaxHeaderSize));
    if (payloadSize > kMaxPayloadSize)
        return fail(ErrorCode::ResourceExhausted, "frame payload of " + std::to_string(payloadSize) +
                                                      " bytes exceeds the limit of " + std::to_string(kMaxPayloadSize));
    std::string out;
    out.reserve(kFramePrefixSize + text.size());
    out.append(kFrameMagic);
    putU32(out, static_cast<std::uint32_t>(text.size()));
    putU32(out, static_cast<std::uint32_t>(payloadSize));
    out.append(text);
    return out;
}

Result<std::string> encodeFrame(const Frame& frame)
{
    PV_TRY(std::string out, encodeFramePrefix(frame.header, frame.payload.size()));
    out.append(frame.payload);
    return out;
}

Status checkJsonShape(std::string_view text)
{
    std::size_t depth = 0, elements = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            break;
        case '[':
        case '{':
            if (++depth > kMaxJsonDepth)
                return fail(ErrorCode::ProtocolError, "frame header nests deeper than " +
                                                          std::to_string(kMaxJsonDepth) + " levels");
            ++elements;
            break;
        case ']':
        case '}':
            if (depth > 0)
                --depth;
            break;
        case ',':
        case ':':
            ++elements;
            break;
        default:
            break;
        }
        if (elements > kMaxJsonElements)
            return fail(ErrorCode::ProtocolError, "frame header has more than " + std::to_string(kMaxJsonElements) +
                                                      " values");
    }
    return {};
}

void FrameReader::feed(std::string_view bytes)
{
    compact();
    m_buffer.append(bytes);
}

void FrameReader::reset()
{
    std::string().swap(m_buffer);
    m_pos = 0;
    m_resyncing = false;
}

void FrameReader::compact()
{
    if (m_pos > 0 && (m_pos == m_buffer.size() || m_pos > 65536)) {
        m_buffer.erase(0, m_pos);
        m_pos = 0;
    }
    // A big frame passed and nothing follows: do not keep its megabytes
    // (while frames stream, the buffer is rarely empty and is reused).
    if (m_buffer.empty() && m_buffer.capacity() > (256U << 10))
        std::string().swap(m_buffer);
}

std::optional<Result<Frame>> FrameReader::garbage(std::string message)
{
    m_pos += 1; // never match the same magic twice
    bool first = !m_resyncing;
    m_resyncing = true;
    if (first)
        return Result<Frame>(fail(ErrorCode::ProtocolError, std::move(message)));
    return next();
}

std::optional<Result<Frame>> FrameReader::next()
{
    std::string_view avail(m_buffer.data() + m_pos, m_buffer.size() - m_pos);
    if (m_resyncing) {
        std::size_t at = avail.find(kFrameMagic);
        if (at == std::string_view::npos) {
            // Keep a tail that may be the start of a magic split across reads.
            std::size_t keep = std::min(avail.size(), kFrameMagic.size() - 1);
            m_pos = m_buffer.size() - keep;
            compact();
            return std::nullopt;
        }
        m_pos += at;
        m_resyncing = false;
        avail.remove_prefix(at);
    }
    if (avail.empty())
        return std::nullopt;
    std::size_t cmp = std::min(avail.size(), kFrameMagic.size());
    if (avail.substr(0, cmp) != kFrameMagic.substr(0, cmp))
        return garbage("bytes received are not a frame (bad magic)");
    if (avail.size() < kFramePrefixSize)
        return std::nullopt;
    std::uint32_t headerLen = getU32(avail.data() + 4);
    std::uint32_t payloadLen = getU32(avail.data() + 8);
    if (headerLen == 0)
        return garbage("frame header is empty");
    if (headerLen > kMaxHeaderSize)
        return garbage("frame header of " + std::to_string(headerLen) + " bytes exceeds the limit of " +
                       std::to_string(kMaxHeaderSize));
    if (payloadLen > kMaxPayloadSize)
        return garbage("frame payload of " + std::to_string(payloadLen) +
                       " bytes exceeds the limit of " + std::to_string(kMaxPayloadSize));
    std::size_t total = kFramePrefixSize + headerLen + payloadLen;
    if (avail.size() < total) {
        // Room for exactly this frame: growing by doubling would hold up
        // to twice what arrived (pages not yet written cost nothing).
        if (m_buffer.capacity() < m_pos + total)
            m_buffer.reserve(m_pos + total);
        return std::nullopt;
    }

    std::string_view headerText = avail.substr(kFramePrefixSize, headerLen);
    if (auto shape = checkJsonShape(headerText); !shape) {
        m_pos += total;
        compact();
        return Result<Frame>(fail(shape.error()));
    }
    Frame frame;
    frame.header = nlohmann::json::parse(headerText, nullptr, false);
    frame.payload.assign(avail.substr(kFramePrefixSize + headerLen, payloadLen));
    m_pos += total;
    compact();
    if (frame.header.is_discarded())
        return Result<Frame>(fail(ErrorCode::ProtocolError, "frame header is not valid JSON"));
    if (!frame.header.is_object())
        return Result<Frame>(fail(ErrorCode::ProtocolError, "frame header is not a JSON object"));
    return Result<Frame>(std::move(frame));
}

} // namespace pidvisor::protocol
