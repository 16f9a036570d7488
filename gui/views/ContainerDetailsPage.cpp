#include "ContainerDetailsPage.h"

#include "FormPage.h"

#include "models/Format.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pidvisor::gui {

using format::text;

ContainerDetailsPage::ContainerDetailsPage(QWidget* parent) : QWidget(parent)
{
    m_spec = new FormPage;
    m_processes = new QTableWidget(0, 5);
    m_processes->setObjectName("processes");
    m_processes->setHorizontalHeaderLabels({"VPID", "PID in VM", "Parent", "State", "Command"});
    m_processes->horizontalHeader()->setStretchLastSection(true);
    m_processes->verticalHeader()->hide();
    m_processes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_processes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_processes->setAlternatingRowColors(true);
    m_processNote = new QLabel;
    auto* procPage = new QWidget;
    auto* procLayout = new QVBoxLayout(procPage);
    procLayout->addWidget(m_processNote);
    procLayout->addWidget(m_processes, 1);
    m_logs = new QPlainTextEdit;
    m_logs->setReadOnly(true);
    m_logs->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_logStatus = new QLabel;
    auto* reload = new QPushButton("Reload");
    connect(reload, &QPushButton::clicked, this, [this] { emit logsRequested(m_uri, m_vm, m_name); });
    auto* logPage = new QWidget;
    auto* logLayout = new QVBoxLayout(logPage);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_logStatus, 1);
    bar->addWidget(reload);
    logLayout->addLayout(bar);
    logLayout->addWidget(m_logs, 1);
    auto* tabs = new QTabWidget;
    tabs->addTab(m_spec, "Spec");
    tabs->addTab(procPage, "Processes");
    tabs->addTab(logPage, "Logs");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tabs);
}

void ContainerDetailsPage::show(const QString& uri, const VmInfo& vm, const ContainerInfo& c, bool fresh)
{
    m_uri = uri;
    m_vm = text(vm.record.name);
    m_name = text(c.record.name);
    m_spec->setTitle(m_name, text(manager::containerStateText(c.record.state)) + " in VM " + m_vm);
    QStringList env;
    for (const auto& e : c.env)
        env << text(e);
    m_spec->setRows({{"Command", text(c.command)},
                     {"Pid 1 in the VM", c.record.initPid > 0 ? QString::number(c.record.initPid) : QString()},
                     {"Hostname", text(c.hostname.empty() ? c.record.name : c.hostname)},
                     {"Network", c.address.empty() ? QString("loopback only")
                                                   : text(c.address) + " (" + text(c.mac) + ")"},
                     {"Working directory", text(c.cwd)},
                     {"Environment", env.join("\n")},
                     {"Memory limit", c.memoryMiB ? format::bytes(*c.memoryMiB << 20) : "none"},
                     {"Process limit", c.pidsMax ? QString::number(*c.pidsMax) : "none"},
                     {"Init", c.init ? "pidvisor-init as pid 1" : "the command is pid 1"},
                     {"Confinement", c.privileged ? "privileged: every capability, no seccomp filter, no masked "
                                                    "paths, every device"
                                                  : "confined: the OCI default capabilities, seccomp filter and "
                                                    "device set, no_new_privs, masked and read-only /proc and /sys"},
                     {"User namespace", c.usernsBase ? "its root is the VM's uid " + QString::number(*c.usernsBase) +
                                                           " (65536 ids): unprivileged in the VM"
                                                     : QString("none: its root is the VM's root")},
                     {"Processes", c.live ? QString::number(c.processes.size()) : QString()},
                     {"Updated", format::localTime(c.record.updatedAt)}});
    showProcesses(c);
    if (fresh) {
        m_logs->clear();
        m_logStatus->setText("loading…");
        emit logsRequested(m_uri, m_vm, m_name);
    }
}

void ContainerDetailsPage::showProcesses(const ContainerInfo& c)
{
    m_processNote->setText(c.live ? QString("%1 process(es): the pid inside the container next to the pid the VM "
                                            "sees")
                                        .arg(c.processes.size())
                                  : "Processes are live data: the VM's agent has not been asked yet.");
    m_processes->setRowCount(static_cast<int>(c.processes.size()));
    for (int row = 0; row < static_cast<int>(c.processes.size()); ++row) {
        const auto& p = c.processes[static_cast<std::size_t>(row)];
        QStringList cells{QString::number(p.vpid), QString::number(p.pid),
                          p.vppid > 0 ? QString::number(p.vppid) : "—", format::processState(p.state),
                          text(p.cmdline.empty() ? p.comm : p.cmdline)};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = m_processes->item(row, col);
            if (!item) {
                item = new QTableWidgetItem;
                m_processes->setItem(row, col, item);
            }
            item->setText(cells[col]);
        }
    }
    m_processes->resizeColumnsToContents();
}

void ContainerDetailsPage::setLogs(const QString& logs, const QString& error)
{
    if (!error.isEmpty()) {
        m_logStatus->setText(error);
        return;
    }
    m_logStatus->setText(QString("last %1 of its console").arg(format::bytes(logs.toUtf8().size())));
    m_logs->setPlainText(logs);
    m_logs->verticalScrollBar()->setValue(m_logs->verticalScrollBar()->maximum());
}

} // namespace pidvisor::gui
