// CliOutput: how the in-guest CLI prints results: tables for people, JSON
// for scripts, errors as "pidvisor-agent: code: message" on stderr.
#pragma once

#include "protocol/Types.h"

#include <nlohmann/json.hpp>

#include <string>

namespace pidvisor::agent {

int reportError(const Error& error);
int printJsonOr(const nlohmann::json& result, bool json, const std::string& text);
int printContainerList(const std::vector<protocol::ContainerInfo>& containers, bool json);
int printContainerInfo(const protocol::ContainerInfo& info, bool json);
int printImageList(const std::vector<protocol::ImageInfo>& images, bool json);
int printProcesses(const std::vector<protocol::Process>& processes, bool json);
// Writes the command's output and returns its exit code.
int printCommandResult(const protocol::CommandResult& result, bool json);

} // namespace pidvisor::agent
