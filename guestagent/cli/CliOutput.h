// CliOutput: how the in-guest CLI prints results: tables for people, JSON
// for scripts, errors as "pidvisor-agent: code: message" on stderr.
#pragma once

#include "protocol/Error.h"

#include <nlohmann/json.hpp>

#include <string>

namespace pidvisor::agent {

int reportError(const Error& error);
int printJsonOr(const nlohmann::json& result, bool json, const std::string& text);
int printContainerList(const nlohmann::json& containers, bool json);
int printContainerInfo(const nlohmann::json& info, bool json);
int printProcesses(const nlohmann::json& processes, bool json);
// Writes the command's output and returns its exit code.
int printCommandResult(const nlohmann::json& result, bool json);

} // namespace pidvisor::agent
