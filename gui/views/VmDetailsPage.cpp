#include "VmDetailsPage.h"

#include "FormPage.h"

#include "models/Format.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace pidvisor::gui {

using format::text;


VmDetailsPage::VmDetailsPage(QWidget* parent) : QWidget(parent)
{
    m_settings = new FormPage;
    m_agent = new FormPage;
    m_console = new QPlainTextEdit;
    m_console->setReadOnly(true);
    m_console->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_console->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_consoleStatus = new QLabel;
    auto* reload = new QPushButton("Reload");
    connect(reload, &QPushButton::clicked, this, [this] { emit consoleRequested(m_uri, m_vm); });
    auto* consolePage = new QWidget;
    auto* consoleLayout = new QVBoxLayout(consolePage);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_consoleStatus, 1);
    bar->addWidget(reload);
    consoleLayout->addLayout(bar);
    consoleLayout->addWidget(m_console, 1);
    m_tabs = new QTabWidget;
    m_tabs->addTab(m_settings, "Settings");
    m_tabs->addTab(m_agent, "Agent");
    m_tabs->addTab(consolePage, "Console log");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
}

void VmDetailsPage::show(const HostInfo& host, const VmInfo& vm, bool fresh)
{
    const auto& r = vm.record;
    m_uri = text(host.record.uri);
    m_vm = text(r.name);
    QString state = r.missing ? "missing (deleted outside Pidvisor)" : text(manager::vmStateText(r.state));
    m_settings->setTitle(text(r.name), state + " on " + text(host.record.uri));
    m_settings->setRows({{"UUID", text(r.uuid)},
                         {"Acceleration", text(r.accel).toUpper()},
                         {"Kernel", text(r.kernel) + (r.kernelRelease.empty() ? "" : " (" + text(r.kernelRelease) + ")")},
                         {"Image", text(r.imageId.substr(0, 16))},
                         {"Memory", format::bytes(r.memoryMiB << 20)},
                         {"vCPUs", QString::number(r.vcpus)},
                         {"Data disk", text(r.dataDisk)},
                         {"Network", vm.network ? text(manager::describeNetwork(*vm.network)) : QString()},
                         {"Boot to ready", r.bootToReadyMs ? format::millis(*r.bootToReadyMs) : QString()},
                         {"Containers", QString::number(vm.containers.size())},
                         {"Created", format::localTime(r.createdAt)},
                         {"Console log", text(r.consoleLog)}});
    const AgentStatus& a = vm.agent;
    static const char* states[] = {"not asked (VM not running)", "connected", "unreachable",
                                   "busy: an operation holds the VM"};
    m_agent->setTitle("Agent", states[static_cast<int>(a.state)]);
    m_agent->setRows({{"Version", text(a.agentVersion.empty() ? r.agentVersion : a.agentVersion)},
                      {"Protocol", a.protocol ? QString::number(a.protocol) : QString()},
                      {"Guest kernel", text(a.kernelRelease)},
                      {"Hostname", text(a.hostname)},
                      {"Pid spaces", text(a.pidSpace)},
                      {"cgroups", text(a.cgroups)},
                      {"CRIU", text(a.criuVersion.empty() && a.state == AgentStatus::State::Connected
                                        ? std::string("not installed")
                                        : a.criuVersion)},
                      {"Checkpoint commands", a.state == AgentStatus::State::Connected
                                                  ? (a.checkpointCommands ? "served" : "not served")
                                                  : ""},
                      {"Last asked", format::localTime(a.checkedAt)},
                      {"Error", text(a.error)}});
    if (fresh) {
        m_console->clear();
        m_consoleStatus->setText("loading…");
        emit consoleRequested(m_uri, m_vm);
    }
}

void VmDetailsPage::setConsoleLog(const QString& log, const QString& error)
{
    if (!error.isEmpty()) {
        m_consoleStatus->setText(error);
        return;
    }
    m_consoleStatus->setText(QString("last %1 of the serial console").arg(format::bytes(log.toUtf8().size())));
    m_console->setPlainText(log);
    m_console->verticalScrollBar()->setValue(m_console->verticalScrollBar()->maximum());
}

} // namespace pidvisor::gui
