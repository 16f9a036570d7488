// Protobuf: the few pieces of the protocol-buffers wire format (proto2)
// needed to speak CRIU's RPC (criu swrk) and read its image files, without
// a generated library: varints, length-delimited fields, nested messages.
#pragma once

#include "Result.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pidvisor::pb {

class Writer {
public:
    Writer& varint(int field, std::uint64_t value);
    Writer& boolean(int field, bool value) { return varint(field, value ? 1 : 0); }
    Writer& int32(int field, std::int32_t value);
    Writer& bytes(int field, std::string_view value);
    Writer& message(int field, const Writer& nested) { return bytes(field, nested.data()); }
    [[nodiscard]] const std::string& data() const { return m_out; }

private:
    void raw(std::uint64_t v);
    std::string m_out;
};

// A decoded message: every occurrence of every field, in order. Varint
// fields hold their integer; length-delimited ones their bytes.
struct Field {
    std::uint64_t varint = 0;
    std::string bytes;
    bool isBytes = false;
};

class Message {
public:
    [[nodiscard]] static Result<Message> parse(std::string_view data);
    [[nodiscard]] bool has(int field) const { return m_fields.count(field) > 0; }
    [[nodiscard]] std::uint64_t varint(int field, std::uint64_t fallback = 0) const;
    [[nodiscard]] std::int32_t int32(int field, std::int32_t fallback = 0) const;
    [[nodiscard]] std::string bytes(int field) const;
    [[nodiscard]] std::vector<std::uint64_t> varints(int field) const;

private:
    std::map<int, std::vector<Field>> m_fields;
};

} // namespace pidvisor::pb
