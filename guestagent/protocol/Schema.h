// Schema: how a protocol record is declared once and converted to and from
// JSON from that declaration.
//
// A record lists its fields in a static fields() function, each with its
// JSON name, its member, whether it is required and an optional check:
//
//   struct ContainerStopArgs {
//       std::string name;
//       std::int64_t timeoutMs = 10000;
//       static constexpr auto fields()
//       {
//           return std::tuple{req("name", &ContainerStopArgs::name, checkContainerName),
//                             opt("timeout_ms", &ContainerStopArgs::timeoutMs, inRange<0, kMaxTimeoutMs>)};
//       }
//   };
//
// decode<T>() and encode() walk that list: the one JSON conversion and
// validation of every record, so adding a field is one member and one line
// in fields(). A missing optional field keeps the member's default; a
// std::optional member is null when empty. A record may add cross-field
// rules with `static Status validate(const T&)`.
//
// Requests are decoded with Unknown::Refuse (a key the agent does not know
// is an error: it would be silently ignored otherwise); results with
// Unknown::Ignore, so a newer agent may add a result field without breaking
// an older manager (PROTOCOL.md: "added without a version change").
#pragma once

#include "Result.h"

#include <nlohmann/json.hpp>

#include <array>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace pidvisor::protocol {

enum class Unknown { Refuse, Ignore };

// A field's check: `what` names it for the message ("argument 'name'").
template <class T>
using Check = Status (*)(std::string_view what, const T& value);

template <class T>
struct Unwrap {
    using type = T;
};
template <class T>
struct Unwrap<std::optional<T>> {
    using type = T;
};

template <class S, class M>
struct Field {
    using Value = typename Unwrap<M>::type;
    std::string_view name;
    M S::*member;
    bool required;
    Check<Value> check;
};

// A required field: missing (or null) is an error.
template <class S, class M>
constexpr Field<S, M> req(std::string_view name, M S::*member, Check<typename Unwrap<M>::type> check = nullptr)
{
    return {name, member, true, check};
}

// An optional field: missing (or null) keeps the member's default.
template <class S, class M>
constexpr Field<S, M> opt(std::string_view name, M S::*member, Check<typename Unwrap<M>::type> check = nullptr)
{
    return {name, member, false, check};
}

template <class T>
concept Record = requires { T::fields(); };

template <class T>
concept HasValidate = requires(const T& t) {
    { T::validate(t) } -> std::same_as<Status>;
};

template <class T>
struct Codec;

template <Record T>
[[nodiscard]] Result<T> decode(const nlohmann::json& j, Unknown unknown, std::string_view prefix = "argument");
template <Record T>
[[nodiscard]] nlohmann::json encode(const T& value);

namespace detail {

inline std::string fieldName(std::string_view prefix, std::string_view path)
{
    return std::string(prefix) + " '" + std::string(path) + "'";
}

inline std::string join(std::string_view path, std::string_view key)
{
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

[[nodiscard]] Status refuseUnknown(const nlohmann::json& j, std::string_view prefix, std::string_view path,
                                   const std::vector<std::string_view>& known);

} // namespace detail

// Value codecs: one per JSON type. `prefix` and `path` name the value in a
// message ("argument 'spec.argv'").
template <>
struct Codec<std::string> {
    static Result<std::string> decode(const nlohmann::json& j, Unknown, std::string_view prefix, std::string_view path)
    {
        if (!j.is_string())
            return fail(ErrorCode::InvalidArgument, detail::fieldName(prefix, path) + " must be a string");
        return j.get<std::string>();
    }
    static nlohmann::json encode(const std::string& v) { return v; }
};

template <>
struct Codec<bool> {
    static Result<bool> decode(const nlohmann::json& j, Unknown, std::string_view prefix, std::string_view path)
    {
        if (!j.is_boolean())
            return fail(ErrorCode::InvalidArgument, detail::fieldName(prefix, path) + " must be true or false");
        return j.get<bool>();
    }
    static nlohmann::json encode(bool v) { return v; }
};

template <std::integral T>
    requires(!std::same_as<T, bool>)
struct Codec<T> {
    static Result<T> decode(const nlohmann::json& j, Unknown, std::string_view prefix, std::string_view path)
    {
        std::string what = detail::fieldName(prefix, path);
        if (!j.is_number_integer())
            return fail(ErrorCode::InvalidArgument, what + " must be an integer");
        constexpr auto lo = std::numeric_limits<T>::min();
        constexpr auto hi = std::numeric_limits<T>::max();
        if (j.is_number_unsigned()) {
            if (j.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
                return fail(ErrorCode::InvalidArgument, what + " must be at most " + std::to_string(hi));
            return static_cast<T>(j.get<std::uint64_t>());
        }
        auto n = j.get<std::int64_t>();
        if (n < 0 && (std::is_unsigned_v<T> || n < static_cast<std::int64_t>(lo)))
            return fail(ErrorCode::InvalidArgument, what + " must be at least " + std::to_string(lo));
        if (n > 0 && static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(hi))
            return fail(ErrorCode::InvalidArgument, what + " must be at most " + std::to_string(hi));
        return static_cast<T>(n);
    }
    static nlohmann::json encode(T v) { return v; }
};

// Opaque JSON (a checkpoint manifest, which protocol/CheckpointFiles.h
// checks itself): only an object is accepted.
template <>
struct Codec<nlohmann::json> {
    static Result<nlohmann::json> decode(const nlohmann::json& j, Unknown, std::string_view prefix,
                                         std::string_view path)
    {
        if (!j.is_object())
            return fail(ErrorCode::InvalidArgument, detail::fieldName(prefix, path) + " must be an object");
        return j;
    }
    static nlohmann::json encode(const nlohmann::json& v) { return v; }
};

// Word enums: an enum class whose wire form is one of a fixed list of
// words, declared once by specializing EnumWords next to the enum:
//
//   template <>
//   struct EnumWords<ContainerState> {
//       static constexpr std::array<std::pair<ContainerState, std::string_view>, 2> kWords{
//           {{ContainerState::Running, "running"}, {ContainerState::Stopped, "stopped"}}};
//   };
//
// enumWord() and enumFromWord() are the enum's one conversion (the codec
// below, and whatever stores the words elsewhere, use them); a word not in
// the list is refused by name.
template <class E>
struct EnumWords;

template <class E>
concept WordEnum = std::is_enum_v<E> && requires { EnumWords<E>::kWords; };

template <WordEnum E>
[[nodiscard]] constexpr std::string_view enumWord(E value)
{
    for (const auto& [e, word] : EnumWords<E>::kWords)
        if (e == value)
            return word;
    return {};
}

template <WordEnum E>
[[nodiscard]] constexpr std::optional<E> enumFromWord(std::string_view word)
{
    for (const auto& [e, w] : EnumWords<E>::kWords)
        if (w == word)
            return e;
    return std::nullopt;
}

// "creating, running or stopped", for messages.
template <WordEnum E>
[[nodiscard]] std::string enumWordList()
{
    const auto& words = EnumWords<E>::kWords;
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0)
            out += i + 1 == words.size() ? " or " : ", ";
        out += words[i].second;
    }
    return out;
}

template <WordEnum E>
struct Codec<E> {
    static Result<E> decode(const nlohmann::json& j, Unknown, std::string_view prefix, std::string_view path)
    {
        std::optional<E> value = j.is_string() ? enumFromWord<E>(j.get<std::string>()) : std::nullopt;
        if (!value)
            return fail(ErrorCode::InvalidArgument,
                        detail::fieldName(prefix, path) + " must be " + enumWordList<E>());
        return *value;
    }
    static nlohmann::json encode(E value) { return std::string(enumWord(value)); }
};

template <class T>
struct Codec<std::vector<T>> {
    static Result<std::vector<T>> decode(const nlohmann::json& j, Unknown unknown, std::string_view prefix,
                                         std::string_view path)
    {
        if (!j.is_array())
            return fail(ErrorCode::InvalidArgument, detail::fieldName(prefix, path) + " must be an array");
        std::vector<T> out;
        out.reserve(j.size());
        for (std::size_t i = 0; i < j.size(); ++i) {
            PV_TRY(T item, Codec<T>::decode(j[i], unknown, prefix, std::string(path) + "[" + std::to_string(i) + "]"));
            out.push_back(std::move(item));
        }
        return out;
    }
    static nlohmann::json encode(const std::vector<T>& v)
    {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& item : v)
            out.push_back(Codec<T>::encode(item));
        return out;
    }
};

namespace detail {
template <Record T>
Result<T> decodeRecord(const nlohmann::json& j, Unknown unknown, std::string_view prefix, std::string_view path);
template <Record T>
nlohmann::json encodeRecord(const T& value);
} // namespace detail

// Nested records carry the prefix and path down ("argument 'spec.name'").
// (Defined in the class: clang 14 refuses out-of-line members of a
// constrained partial specialization.)
template <Record T>
struct Codec<T> {
    static Result<T> decode(const nlohmann::json& j, Unknown unknown, std::string_view prefix, std::string_view path)
    {
        return detail::decodeRecord<T>(j, unknown, prefix, path);
    }
    static nlohmann::json encode(const T& value) { return detail::encodeRecord(value); }
};

namespace detail {

template <class S, class F>
Status decodeField(S& out, const F& field, const nlohmann::json& j, Unknown unknown, std::string_view prefix,
                   std::string_view path)
{
    using Value = typename F::Value;
    std::string where = join(path, field.name);
    auto it = j.find(field.name);
    if (it == j.end() || it->is_null()) {
        if (field.required)
            return fail(ErrorCode::InvalidArgument, fieldName(prefix, where) + " is missing");
        return {};
    }
    PV_TRY(Value value, Codec<Value>::decode(*it, unknown, prefix, where));
    if (field.check)
        PV_TRY_STATUS(field.check(fieldName(prefix, where), value));
    out.*field.member = std::move(value);
    return {};
}

template <class S, class F>
void encodeField(nlohmann::json& j, const S& in, const F& field)
{
    using Value = typename F::Value;
    const auto& member = in.*field.member;
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(member)>, Value>)
        j[std::string(field.name)] = Codec<Value>::encode(member);
    else
        j[std::string(field.name)] = member ? Codec<Value>::encode(*member) : nlohmann::json(nullptr);
}

template <Record T>
Result<T> decodeRecord(const nlohmann::json& j, Unknown unknown, std::string_view prefix, std::string_view path)
{
    if (!j.is_object())
        return fail(ErrorCode::InvalidArgument,
                    path.empty() ? std::string(prefix == "argument" ? "request args" : "the result") + " must be an object"
                                 : fieldName(prefix, path) + " must be an object");
    constexpr auto fields = T::fields();
    if (unknown == Unknown::Refuse) {
        std::vector<std::string_view> known;
        std::apply([&](const auto&... f) { (known.push_back(f.name), ...); }, fields);
        PV_TRY_STATUS(refuseUnknown(j, prefix, path, known));
    }
    T out{};
    Status status;
    std::apply(
        [&](const auto&... f) {
            ((status = status ? decodeField(out, f, j, unknown, prefix, path) : status), ...);
        },
        fields);
    PV_TRY_STATUS(status);
    if constexpr (HasValidate<T>)
        PV_TRY_STATUS(T::validate(out));
    return out;
}

template <Record T>
nlohmann::json encodeRecord(const T& value)
{
    nlohmann::json j = nlohmann::json::object();
    std::apply([&](const auto&... f) { (encodeField(j, value, f), ...); }, T::fields());
    return j;
}

} // namespace detail

template <Record T>
Result<T> decode(const nlohmann::json& j, Unknown unknown, std::string_view prefix)
{
    try {
        return detail::decodeRecord<T>(j, unknown, prefix, "");
    } catch (const nlohmann::json::exception& e) {
        return fail(ErrorCode::InvalidArgument, std::string("malformed JSON value: ") + e.what());
    }
}

template <Record T>
nlohmann::json encode(const T& value)
{
    return detail::encodeRecord(value);
}

// The names of a record's fields, in declaration order (for the
// documentation test and for hello).
template <Record T>
std::vector<std::string_view> fieldNames()
{
    std::vector<std::string_view> out;
    std::apply([&](const auto&... f) { (out.push_back(f.name), ...); }, T::fields());
    return out;
}

} // namespace pidvisor::protocol
