#include "Names.h"

#include <cstdio>

namespace pidvisor::protocol {

namespace {
bool nameChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}
} // namespace

Status validateName(std::string_view what, std::string_view name)
{
    std::string prefix = std::string(what) + " " + quoteForMessage(name) + " is invalid: ";
    if (name.empty())
        return fail(ErrorCode::InvalidArgument, std::string(what) + " is empty");
    if (name.size() > kMaxNameLength)
        return fail(ErrorCode::InvalidArgument, prefix + "longer than " + std::to_string(kMaxNameLength) +
                                                    " characters");
    if (name.front() == '.')
        return fail(ErrorCode::InvalidArgument, prefix + "it starts with '.'");
    for (char c : name)
        if (!nameChar(c))
            return fail(ErrorCode::InvalidArgument, prefix + "only A-Z a-z 0-9 _ . - are allowed");
    return {};
}

std::string quoteForMessage(std::string_view text)
{
    constexpr std::size_t kShown = 64;
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < kShown; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f || c == '\\') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > kShown)
        out += "...";
    out += "'";
    return out;
}

} // namespace pidvisor::protocol
