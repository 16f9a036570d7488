// Dispatcher: turns a request into a reply. One handler per command in
// protocol/Commands.h; each validates its arguments (protocol::Args) before
// it touches anything, so a bad request changes nothing.
#pragma once

#include "CheckpointManager.h"
#include "ContainerManager.h"
#include "RequestContext.h"
#include "SystemInfo.h"

#include "protocol/Message.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pidvisor::agent {

struct Reply {
    nlohmann::json result = nlohmann::json::object();
    std::string payload;
};

class Dispatcher {
public:
    Dispatcher(ContainerManager& containers, CheckpointManager& checkpoints, SystemInfo info);

    // Never throws: unexpected exceptions become Internal errors.
    [[nodiscard]] Result<Reply> handle(const protocol::Request& request, RequestContext& context) const;
    [[nodiscard]] std::vector<std::string> commands() const;

private:
    using Handler = std::function<Result<Reply>(const nlohmann::json& args, RequestContext& context)>;
    void add(std::string_view name, Handler handler);
    void addContainerCommands();
    void addCheckpointCommands();

    ContainerManager& m_containers;
    CheckpointManager& m_checkpoints;
    SystemInfo m_info;
    std::map<std::string, Handler, std::less<>> m_handlers;
};

// A signal by number (1-64) or name ("TERM", "SIGKILL").
[[nodiscard]] Result<int> parseSignal(const nlohmann::json& value);

} // namespace pidvisor::agent
