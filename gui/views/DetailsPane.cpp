#include "DetailsPane.h"

#include "CheckpointDetailsPage.h"
#include "ContainerDetailsPage.h"
#include "FormPage.h"
#include "VmDetailsPage.h"

#include "backend/Backend.h"
#include "backend/SnapshotQueries.h"
#include "core/States.h"
#include "models/Format.h"

#include <QLabel>

namespace pidvisor::gui {

using format::text;

DetailsPane::DetailsPane(Backend* backend, QWidget* parent) : QStackedWidget(parent), m_backend(backend)
{
    m_empty = new QLabel("Select a host, VM, container, process or checkpoint to see its details.");
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet("color: #7a8594");
    m_summary = new FormPage;
    m_vm = new VmDetailsPage;
    m_container = new ContainerDetailsPage;
    m_checkpoint = new CheckpointDetailsPage;
    for (QWidget* w : {static_cast<QWidget*>(m_empty), static_cast<QWidget*>(m_summary), static_cast<QWidget*>(m_vm),
                       static_cast<QWidget*>(m_container), static_cast<QWidget*>(m_checkpoint)})
        addWidget(w);
    connect(m_vm, &VmDetailsPage::consoleRequested, this, &DetailsPane::requestConsole);
    connect(m_container, &ContainerDetailsPage::logsRequested, this, &DetailsPane::requestLogs);
    if (m_backend) {
        connect(m_backend, &Backend::vmDetailsReady, this, [this](quint64 id, const QString& log, const QString& e) {
            if (id == m_consoleRequest)
                m_vm->setConsoleLog(log, e);
        });
        connect(m_backend, &Backend::containerLogsReady, this,
                [this](quint64 id, const QString& logs, const QString& e) {
                    if (id == m_logsRequest)
                        m_container->setLogs(logs, e);
                });
    }
}

void DetailsPane::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = std::move(snapshot);
    render(false);
}

void DetailsPane::setSelection(const Selection& selection)
{
    if (selection == m_selection)
        return;
    m_selection = selection;
    render(true);
}

void DetailsPane::requestConsole(const QString& uri, const QString& vm)
{
    if (!m_backend) {
        m_vm->setConsoleLog({}, "not connected");
        return;
    }
    m_consoleRequest = m_nextRequest++;
    QMetaObject::invokeMethod(m_backend, [b = m_backend, id = m_consoleRequest, uri, vm] {
        b->fetchVmDetails(id, uri, vm);
    });
}

void DetailsPane::requestLogs(const QString& uri, const QString& vm, const QString& container)
{
    if (!m_backend) {
        m_container->setLogs({}, "not connected");
        return;
    }
    m_logsRequest = m_nextRequest++;
    QMetaObject::invokeMethod(m_backend, [b = m_backend, id = m_logsRequest, uri, vm, container] {
        b->fetchContainerLogs(id, uri, vm, container);
    });
}

bool DetailsPane::renderHost()
{
    const HostInfo* h = findHost(*m_snapshot, m_selection.uri.toStdString());
    if (!h)
        return false;
    static const char* links[] = {"offline (not connected in this session)", "connecting", "connected",
                                  "unreachable"};
    int running = 0, containers = 0;
    for (const auto& v : h->vms) {
        running += v.record.state == manager::VmState::Running;
        containers += static_cast<int>(v.containers.size());
    }
    m_summary->setTitle(text(h->record.name.empty() ? h->record.uri : h->record.name),
                        links[static_cast<int>(h->link)]);
    m_summary->setRows({{"URI", text(h->record.uri)},
                        {"Hostname", text(h->hostname)},
                        {"libvirt", text(h->libvirtVersion)},
                        {"QEMU", text(h->hypervisorVersion)},
                        {"VMs", QString("%1, %2 running").arg(h->vms.size()).arg(running)},
                        {"Containers", QString::number(containers)},
                        {"Added", format::localTime(h->record.addedAt)},
                        {"Error", text(h->error)}});
    setCurrentWidget(m_summary);
    return true;
}

bool DetailsPane::renderProcess()
{
    const ContainerInfo* c = findContainer(*m_snapshot, m_selection.uri.toStdString(), m_selection.vm.toStdString(),
                                           m_selection.container.toStdString());
    const ProcessInfo* p = c ? findProcess(*c, m_selection.vpid) : nullptr;
    if (!p)
        return false;
    m_summary->setTitle(text(p->comm), QString("pid %1 in container %2, pid %3 in VM %4")
                                           .arg(p->vpid)
                                           .arg(m_selection.container)
                                           .arg(p->pid)
                                           .arg(m_selection.vm));
    m_summary->setRows({{"Virtual pid", QString::number(p->vpid)},
                        {"Pid in the VM", QString::number(p->pid)},
                        {"Parent (virtual)", p->vppid > 0 ? QString::number(p->vppid) : "outside the container"},
                        {"State", format::processState(p->state)},
                        {"Command line", text(p->cmdline)}});
    setCurrentWidget(m_summary);
    return true;
}

void DetailsPane::render(bool fresh)
{
    bool shown = false;
    if (m_snapshot) {
        std::string uri = m_selection.uri.toStdString(), vm = m_selection.vm.toStdString();
        switch (m_selection.kind) {
        case Selection::Kind::Host: shown = renderHost(); break;
        case Selection::Kind::Vm:
            if (const VmInfo* v = findVm(*m_snapshot, uri, vm)) {
                m_vm->show(*findHost(*m_snapshot, uri), *v, fresh);
                setCurrentWidget(m_vm);
                shown = true;
            }
            break;
        case Selection::Kind::Container:
            if (const ContainerInfo* c = findContainer(*m_snapshot, uri, vm, m_selection.container.toStdString())) {
                m_container->show(m_selection.uri, *findVm(*m_snapshot, uri, vm), *c, fresh);
                setCurrentWidget(m_container);
                shown = true;
            }
            break;
        case Selection::Kind::Process: shown = renderProcess(); break;
        case Selection::Kind::Checkpoint:
            if (const auto* cp = findCheckpoint(*m_snapshot, m_selection.checkpoint.toStdString())) {
                m_checkpoint->show(*cp);
                setCurrentWidget(m_checkpoint);
                shown = true;
            }
            break;
        case Selection::Kind::None: break;
        }
    }
    if (!shown)
        setCurrentWidget(m_empty);
}

} // namespace pidvisor::gui
