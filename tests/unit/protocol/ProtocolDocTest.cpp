// PROTOCOL.md's command reference against the declaration (Commands.h,
// Types.h): every command has its section with the right "Since", every
// argument and result field is named there (or, for a result documented as
// an object, in that object's block under "Objects"), and no section
// describes a command that is not declared.
#include "protocol/Commands.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace pidvisor;
using namespace pidvisor::protocol;

namespace {

std::string readDoc()
{
    std::ifstream in(std::string(PIDVISOR_SOURCE_DIR) + "/guestagent/protocol/PROTOCOL.md");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The text from `heading` to the next heading of the same or a higher level.
std::string section(const std::string& doc, const std::string& heading)
{
    auto at = doc.find("\n" + heading + "\n");
    if (at == std::string::npos)
        return {};
    auto level = heading.substr(0, heading.find(' ') + 1);
    auto end = doc.find("\n" + level, at + heading.size() + 1);
    auto higher = doc.find("\n## ", at + heading.size() + 1);
    end = std::min(end, higher);
    return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// An object's block under "## Objects": from "**Name**" to the next "**".
std::string objectBlock(const std::string& doc, std::string_view object)
{
    std::string objects = section(doc, "## Objects");
    auto at = objects.find("**" + std::string(object) + "**");
    if (at == std::string::npos)
        return {};
    auto end = objects.find("\n**", at + 4);
    return objects.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

bool names(const std::string& text, std::string_view field)
{
    std::string f(field);
    return text.find("`" + f + "`") != std::string::npos || text.find("\"" + f + "\"") != std::string::npos;
}

// Records documented once under "Objects" rather than in each command.
template <class T>
constexpr std::string_view kObject = "";
template <>
constexpr std::string_view kObject<ContainerInfo> = "Container";
template <>
constexpr std::string_view kObject<ContainerRestoreResult> = "Container";
template <>
constexpr std::string_view kObject<Process> = "Process";
template <>
constexpr std::string_view kObject<CommandResult> = "Command result";
template <>
constexpr std::string_view kObject<ImageInfo> = "Image";

template <class T>
struct Element {
    using type = T;
};
template <class T>
struct Element<std::vector<T>> {
    using type = T;
};
template <class T>
struct Element<std::optional<T>> {
    using type = typename Element<T>::type;
};

template <class T>
void expectDocumented(const std::string& doc, const std::string& text, const std::string& where)
{
    if constexpr (Record<T>) {
        std::string object = kObject<T>.empty() ? "" : objectBlock(doc, kObject<T>);
        if (!kObject<T>.empty()) {
            EXPECT_FALSE(object.empty()) << "Objects has no **" << kObject<T> << "** (" << where << ")";
        }
        auto one = [&](const auto& field) {
            EXPECT_TRUE(names(text, field.name) || names(object, field.name))
                << where << " does not document field '" << field.name << "'";
            using Value = typename Element<typename std::remove_cvref_t<decltype(field)>::Value>::type;
            expectDocumented<Value>(doc, text + object, where + "." + std::string(field.name));
        };
        std::apply([&](const auto&... f) { (one(f), ...); }, T::fields());
    }
}

} // namespace

TEST(ProtocolDoc, DocumentsEveryCommandAsDeclared)
{
    std::string doc = readDoc();
    ASSERT_FALSE(doc.empty()) << "PROTOCOL.md not found";
    EXPECT_NE(doc.find("Current version: **" + std::to_string(kProtocolVersion) + "**"), std::string::npos);
    forEachCommand([&](const auto& command) {
        using C = std::remove_cvref_t<decltype(command)>;
        std::string name(command.name);
        std::string text = section(doc, "### " + name);
        ASSERT_FALSE(text.empty()) << "PROTOCOL.md has no section '### " << name << "'";
        EXPECT_NE(text.find("Since " + std::to_string(command.since) + "."), std::string::npos)
            << name << ": not 'Since " << command.since << ".'";
        for (auto code : {ErrorCode::InvalidArgument, ErrorCode::NotFound, ErrorCode::AlreadyExists,
                          ErrorCode::FailedPrecondition, ErrorCode::Unsupported})
            if (command.errors.has(code)) {
                EXPECT_TRUE(names(text, errorCodeName(code))) << name << " does not document " << errorCodeName(code);
            }
        expectDocumented<typename C::Args>(doc, text, name + " args");
        expectDocumented<typename C::Result>(doc, text, name + " result");
    });
}

TEST(ProtocolDoc, DocumentsNoCommandThatIsNotDeclared)
{
    std::string commands = section(readDoc(), "## Commands");
    ASSERT_FALSE(commands.empty());
    auto declared = commandNames();
    std::istringstream lines(commands);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("### ", 0) == 0) {
            EXPECT_NE(std::find(declared.begin(), declared.end(), line.substr(4)), declared.end())
                << "PROTOCOL.md documents '" << line.substr(4) << "', which Commands.h does not declare";
        }
}
