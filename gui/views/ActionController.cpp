#include "ActionController.h"

#include "core/States.h"

#include "backend/OperationRunner.h"
#include "backend/SnapshotQueries.h"

#include <QAction>
#include <QIcon>
#include <QKeySequence>
#include <QMenu>
#include <QWidget>

namespace pidvisor::gui {

namespace {

struct ActionText {
    const char* text;
    QKeySequence key;
    const char* tip;
    const char* icon; // a freedesktop icon name; the text alone when the theme lacks it
};

ActionText textOf(ActionController::Id id)
{
    using A = ActionController;
    switch (id) {
    case A::AddConnection: return {"Add &connection…", QKeySequence("Ctrl+L"), "Connect to a libvirt URI", "network-server"};
    case A::Refresh: return {"&Refresh", QKeySequence::Refresh, "Ask libvirt and the agents now", "view-refresh"};
    case A::NewVm: return {"&New VM…", QKeySequence::New, "Create a VM and wait for its agent", "document-new"};
    case A::StartVm: return {"&Start", QKeySequence("Ctrl+Shift+S"), "Boot the VM and wait for its agent", "media-playback-start"};
    case A::StopVm: return {"S&hut down", QKeySequence("Ctrl+Shift+H"), "Agent poweroff, then ACPI, then destroy", "system-shutdown"};
    case A::DestroyVm: return {"&Destroy", QKeySequence("Ctrl+Shift+D"), "Power the VM off at once", "process-stop"};
    case A::DeleteVm: return {"Delete VM…", QKeySequence("Ctrl+Shift+Del"), "Delete the VM, its disk and log", "edit-delete"};
    case A::NewContainer: return {"New &container…", QKeySequence("Ctrl+Shift+N"), "Start a container in the VM", "list-add"};
    case A::Exec: return {"&Run command…", QKeySequence("Ctrl+E"), "Run a command inside the container", "utilities-terminal"};
    case A::StopContainer: return {"Sto&p container", QKeySequence("Ctrl+Shift+T"), "TERM, then KILL after 10 s", "media-playback-stop"};
    case A::KillContainer: return {"&Kill container", QKeySequence("Ctrl+Shift+K"), "KILL every process", "process-stop"};
    case A::DeleteContainer: return {"Delete container…", QKeySequence::Delete, "Remove the container", "edit-delete"};
    case A::Checkpoint: return {"Check&point…", QKeySequence("Ctrl+K"), "Checkpoint the container with CRIU", "document-save"};
    case A::Restore: return {"Res&tore…", QKeySequence("Ctrl+R"), "Restore the checkpoint into a VM", "document-revert"};
    case A::Migrate: return {"&Migrate…", QKeySequence("Ctrl+M"), "Move the container to another VM", "go-next"};
    case A::VerifyCheckpoint: return {"&Verify checkpoint", QKeySequence("Ctrl+Shift+V"), "Check every file's hash", "emblem-default"};
    case A::DeleteCheckpoint: return {"Delete checkpoint…", QKeySequence("Ctrl+Shift+X"), "Delete the checkpoint", "edit-delete"};
    case A::CancelOperation: return {"Cancel operation", QKeySequence("Ctrl+."), "Cancel where that is safe", "process-stop"};
    case A::FocusFilter: return {"&Filter", QKeySequence::Find, "Filter the tree by text", "edit-find"};
    case A::About: return {"&About Pidvisor", QKeySequence::HelpContents, "Versions", "help-about"};
    case A::Quit: return {"&Quit", QKeySequence::Quit, "Quit", "application-exit"};
    case A::Count: break;
    }
    return {"", {}, "", ""};
}

} // namespace

ActionController::ActionController(QWidget* window, DialogProvider* dialogs, OperationRunner* runner,
                                   Backend* backend)
    : QObject(window), m_window(window), m_dialogs(dialogs), m_runner(runner), m_backend(backend)
{
    create();
    updateEnabled();
}

void ActionController::create()
{
    for (int i = 0; i < Count; ++i) {
        auto id = static_cast<Id>(i);
        ActionText t = textOf(id);
        auto* a = new QAction(t.text, m_window);
        a->setIcon(QIcon::fromTheme(t.icon));
        a->setShortcut(t.key);
        a->setShortcutContext(Qt::WindowShortcut);
        QString tip = t.tip;
        a->setToolTip(tip + (t.key.isEmpty() ? "" : "  [" + t.key.toString(QKeySequence::NativeText) + "]"));
        a->setStatusTip(tip);
        connect(a, &QAction::triggered, this, [this, id] { trigger(id); });
        m_window->addAction(a);
        m_actions[i] = a;
    }
}

void ActionController::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = std::move(snapshot);
    updateEnabled();
}

void ActionController::setSelection(const Selection& selection)
{
    m_selection = selection;
    updateEnabled();
}

bool ActionController::connected(const QString& uri) const
{
    const HostInfo* h = m_snapshot ? findHost(*m_snapshot, uri.toStdString()) : nullptr;
    return h && h->link == HostInfo::Link::Connected;
}

QStringList ActionController::connectedHosts() const
{
    QStringList out;
    if (m_snapshot)
        for (const auto& h : m_snapshot->hosts)
            if (h.link == HostInfo::Link::Connected)
                out << QString::fromStdString(h.record.uri);
    return out;
}

std::vector<VmChoice> ActionController::runningVms(const QString& uri, const QString& except) const
{
    std::vector<VmChoice> out;
    if (!m_snapshot)
        return out;
    for (const auto& h : m_snapshot->hosts) {
        QString hostUri = QString::fromStdString(h.record.uri);
        if (h.link != HostInfo::Link::Connected || (!uri.isEmpty() && hostUri != uri))
            continue;
        for (const auto& v : h.vms) {
            bool running = v.record.state == manager::VmState::Running && !v.record.missing;
            if (running && QString::fromStdString(v.record.name) != except)
                out.push_back({hostUri, QString::fromStdString(v.record.name)});
        }
    }
    return out;
}

const VmInfo* ActionController::selectedVm() const
{
    if (!m_snapshot || m_selection.vm.isEmpty())
        return nullptr;
    return findVm(*m_snapshot, m_selection.uri.toStdString(), m_selection.vm.toStdString());
}

const ContainerInfo* ActionController::selectedContainer() const
{
    if (!m_snapshot || m_selection.container.isEmpty())
        return nullptr;
    return findContainer(*m_snapshot, m_selection.uri.toStdString(), m_selection.vm.toStdString(),
                         m_selection.container.toStdString());
}

const manager::CheckpointRecord* ActionController::selectedCheckpoint() const
{
    if (!m_snapshot || m_selection.kind != Selection::Kind::Checkpoint)
        return nullptr;
    return findCheckpoint(*m_snapshot, m_selection.checkpoint.toStdString());
}

QString ActionController::checkpointHost(const manager::CheckpointRecord& cp) const
{
    if (cp.vmId && m_snapshot)
        if (const HostInfo* h = findHostOfVm(*m_snapshot, *cp.vmId); h && h->link == HostInfo::Link::Connected)
            return QString::fromStdString(h->record.uri);
    QStringList hosts = connectedHosts();
    return hosts.isEmpty() ? QString() : hosts.front();
}

void ActionController::updateEnabled()
{
    const VmInfo* vm = selectedVm();
    const ContainerInfo* ct = selectedContainer();
    const auto* cp = selectedCheckpoint();
    bool hostUp = connected(m_selection.uri);
    bool vmIdle = vm && hostUp && !vm->busy && !vm->record.missing;
    bool vmRunning = vmIdle && vm->record.state == manager::VmState::Running;
    bool ctRunning = ct && vmRunning && ct->record.state == manager::ContainerState::Running;
    auto set = [this](Id id, bool on) { m_actions[id]->setEnabled(on); };
    set(NewVm, !connectedHosts().isEmpty());
    set(StartVm, vmIdle && vm->record.state != manager::VmState::Running);
    set(StopVm, vmRunning);
    set(DestroyVm, vmIdle && vm->record.state != manager::VmState::ShutOff);
    set(DeleteVm, vm && hostUp && !vm->busy);
    set(NewContainer, vmRunning);
    set(Exec, ctRunning);
    set(StopContainer, ctRunning);
    set(KillContainer, ctRunning);
    set(DeleteContainer, ct && vmRunning);
    set(Checkpoint, ctRunning);
    set(Migrate, ctRunning && !runningVms(m_selection.uri, m_selection.vm).empty());
    set(Restore, cp && !runningVms({}, {}).empty());
    set(VerifyCheckpoint, cp && !checkpointHost(*cp).isEmpty());
    set(DeleteCheckpoint, cp && !checkpointHost(*cp).isEmpty());
}

void ActionController::fillContextMenu(QMenu* menu) const
{
    auto add = [&](std::initializer_list<Id> ids) {
        for (Id id : ids)
            menu->addAction(m_actions[id]);
    };
    switch (m_selection.kind) {
    case Selection::Kind::None:
    case Selection::Kind::Host: add({NewVm, AddConnection, Refresh}); break;
    case Selection::Kind::Vm:
        add({StartVm, StopVm, DestroyVm});
        menu->addSeparator();
        add({NewContainer});
        menu->addSeparator();
        add({DeleteVm});
        break;
    case Selection::Kind::Container:
    case Selection::Kind::Process:
        add({Exec, Checkpoint, Migrate});
        menu->addSeparator();
        add({StopContainer, KillContainer, DeleteContainer});
        break;
    case Selection::Kind::Checkpoint: add({Restore, VerifyCheckpoint, DeleteCheckpoint}); break;
    }
}

int ActionController::submit(OperationSpec spec)
{
    return m_runner->submit(std::move(spec));
}

} // namespace pidvisor::gui
