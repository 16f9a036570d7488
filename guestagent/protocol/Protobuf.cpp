#include "Protobuf.h"

namespace pidvisor::pb {

void Writer::raw(std::uint64_t v)
{
    while (v >= 0x80) {
        m_out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    m_out.push_back(static_cast<char>(v));
}

Writer& Writer::varint(int field, std::uint64_t value)
{
    raw(static_cast<std::uint64_t>(field) << 3 | 0);
    raw(value);
    return *this;
}

Writer& Writer::int32(int field, std::int32_t value)
{
    // Negative int32 values are sign-extended to 64 bits on the wire.
    return varint(field, static_cast<std::uint64_t>(static_cast<std::int64_t>(value)));
}

Writer& Writer::bytes(int field, std::string_view value)
{
    raw(static_cast<std::uint64_t>(field) << 3 | 2);
    raw(value.size());
    m_out.append(value);
    return *this;
}

namespace {
bool readVarint(std::string_view& in, std::uint64_t& out)
{
    out = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        auto b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        out |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}
} // namespace

Result<Message> Message::parse(std::string_view in)
{
    Message m;
    while (!in.empty()) {
        std::uint64_t key = 0;
        if (!readVarint(in, key))
            return fail(ErrorCode::ProtocolError, "protobuf message has a truncated key");
        int field = static_cast<int>(key >> 3);
        Field f;
        switch (key & 7) {
        case 0:
            if (!readVarint(in, f.varint))
                return fail(ErrorCode::ProtocolError, "protobuf message has a truncated varint");
            break;
        case 2: {
            std::uint64_t len = 0;
            if (!readVarint(in, len) || len > in.size())
                return fail(ErrorCode::ProtocolError, "protobuf message has a truncated field");
            f.bytes.assign(in.substr(0, len));
            f.isBytes = true;
            in.remove_prefix(len);
            break;
        }
        case 1:
            if (in.size() < 8)
                return fail(ErrorCode::ProtocolError, "protobuf message has a truncated fixed64");
            in.remove_prefix(8);
            break;
        case 5:
            if (in.size() < 4)
                return fail(ErrorCode::ProtocolError, "protobuf message has a truncated fixed32");
            in.remove_prefix(4);
            break;
        default:
            return fail(ErrorCode::ProtocolError, "protobuf message uses an unknown wire type");
        }
        m.m_fields[field].push_back(std::move(f));
    }
    return m;
}

std::uint64_t Message::varint(int field, std::uint64_t fallback) const
{
    auto it = m_fields.find(field);
    return it == m_fields.end() || it->second.back().isBytes ? fallback : it->second.back().varint;
}

std::int32_t Message::int32(int field, std::int32_t fallback) const
{
    return static_cast<std::int32_t>(static_cast<std::int64_t>(varint(field, static_cast<std::uint64_t>(fallback))));
}

std::string Message::bytes(int field) const
{
    auto it = m_fields.find(field);
    return it == m_fields.end() || !it->second.back().isBytes ? std::string() : it->second.back().bytes;
}

std::vector<std::uint64_t> Message::varints(int field) const
{
    std::vector<std::uint64_t> out;
    auto it = m_fields.find(field);
    if (it == m_fields.end())
        return out;
    for (const auto& f : it->second) {
        if (!f.isBytes) {
            out.push_back(f.varint);
            continue;
        }
        // Packed repeated field.
        std::string_view in = f.bytes;
        std::uint64_t v;
        while (!in.empty() && readVarint(in, v))
            out.push_back(v);
    }
    return out;
}

} // namespace pidvisor::pb
