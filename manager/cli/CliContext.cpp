#include "CliContext.h"

#include <unistd.h>

#include <iostream>

namespace pidvisor::manager {

CliContext::~CliContext()
{
    endProgress();
}

Result<Inventory*> CliContext::inventory()
{
    if (!m_inventory) {
        PV_TRY(Inventory inv, Inventory::open(m_options.db.value_or(defaultInventoryPath())));
        m_inventory = std::make_unique<Inventory>(std::move(inv));
        // Operations of processes that died mid-way are closed, not left "running".
        (void)m_inventory->markInterrupted();
    }
    return m_inventory.get();
}

Result<Host*> CliContext::host()
{
    if (!m_host) {
        PV_TRY(Inventory * inv, inventory());
        AgentTransportMode mode = m_options.agentTransport == "stream"   ? AgentTransportMode::Stream
                                  : m_options.agentTransport == "socket" ? AgentTransportMode::Socket
                                                                         : AgentTransportMode::Auto;
        PV_TRY(m_host, Host::open(*inv, m_options.uri, Paths::defaults(m_options.db), mode));
        const ReconcileReport& report = m_host->openingReport();
        for (const auto& name : report.adopted)
            std::cerr << "pidvisor: adopted VM '" << name << "' (it carries Pidvisor metadata)\n";
        for (const auto& name : report.missing)
            std::cerr << "pidvisor: VM '" << name << "' is missing from " << m_options.uri
                      << " (kept in the inventory as missing)\n";
    }
    return m_host.get();
}

Result<VmService*> CliContext::vms()
{
    PV_TRY(Host * h, host());
    return &h->vms();
}

Result<ContainerService*> CliContext::containers()
{
    PV_TRY(Host * h, host());
    return &h->containers();
}

Result<CheckpointService*> CliContext::checkpoints()
{
    PV_TRY(Host * h, host());
    return &h->checkpoints();
}

ProgressFn CliContext::progress()
{
    bool tty = ::isatty(2);
    return [this, tty](const Progress& p) {
        std::string line = p.percent >= 0 ? "[" + std::to_string(p.percent) + "%] " : "";
        line += p.stage;
        if (!p.detail.empty())
            line += ": " + p.detail;
        if (tty) {
            std::cerr << "\r\033[K" << line << std::flush;
            m_progressLine = true;
        } else if (p.stage != m_lastStage || (p.percent >= 0 && p.percent / 10 != m_lastPercent / 10)) {
            // Logs get a line per stage and per tenth of the way.
            std::cerr << line << "\n";
        }
        m_lastStage = p.stage;
        m_lastPercent = p.percent;
    };
}

void CliContext::endProgress()
{
    if (m_progressLine) {
        std::cerr << "\r\033[K" << std::flush;
        m_progressLine = false;
    }
}

int CliContext::error(const Error& e)
{
    endProgress();
    std::cerr << "pidvisor: " << e.describe() << "\n";
    return e.code == ErrorCode::InvalidArgument ? 2 : 1;
}

int CliContext::print(const nlohmann::json& value, const std::string& text)
{
    endProgress();
    if (m_options.json)
        std::cout << value.dump(2) << "\n";
    else if (!text.empty())
        std::cout << text << (text.back() == '\n' ? "" : "\n");
    return 0;
}

} // namespace pidvisor::manager
