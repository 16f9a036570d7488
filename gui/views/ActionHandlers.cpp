// ActionController: what each action does once triggered.
#include "ActionController.h"

#include "core/States.h"

#include "backend/CheckpointOperations.h"
#include "backend/OperationRunner.h"
#include "backend/SnapshotQueries.h"
#include "backend/VmOperations.h"
#include "dialogs/DialogProvider.h"

#include "protocol/Commands.h"
#include "pidvisor/Version.h"

#include <QAction>

namespace pidvisor::gui {

int ActionController::trigger(Id id)
{
    if (!m_actions[id]->isEnabled())
        return 0;
    switch (id) {
    case AddConnection: return addConnection();
    case Refresh: emit refreshRequested(); return 0;
    case NewVm: return newVm();
    case StartVm:
    case StopVm:
    case DestroyVm:
    case DeleteVm: return vmLifecycle(id);
    case NewContainer: return newContainer();
    case Exec: return exec();
    case StopContainer:
    case KillContainer:
    case DeleteContainer: return containerAction(id);
    case Checkpoint: return checkpoint();
    case Restore: return restore();
    case Migrate: return migrate(std::nullopt);
    case VerifyCheckpoint:
    case DeleteCheckpoint: return checkpointAction(id);
    case CancelOperation: emit cancelRequested(); return 0;
    case FocusFilter: emit focusFilterRequested(); return 0;
    case About: m_dialogs->showAbout(m_window, aboutInfo()); return 0;
    case Quit: emit quitRequested(); return 0;
    case Count: break;
    }
    return 0;
}

int ActionController::addConnection()
{
    auto uri = m_dialogs->askConnection(m_window);
    if (uri && !uri->isEmpty())
        emit connectionAdded(*uri);
    return 0;
}

int ActionController::newVm()
{
    QString preferred = connected(m_selection.uri) ? m_selection.uri : QString();
    auto request = m_dialogs->askNewVm(m_window, connectedHosts(), preferred);
    if (!request)
        return 0;
    return submit(ops::createVm(request->uri, request->options));
}

int ActionController::vmLifecycle(Id id)
{
    const VmInfo* vm = selectedVm();
    if (!vm)
        return 0;
    QString uri = m_selection.uri, name = m_selection.vm;
    switch (id) {
    case StartVm: return submit(ops::startVm(uri, name, QString::fromStdString(vm->record.consoleLog)));
    case StopVm: return submit(ops::stopVm(uri, name));
    case DestroyVm:
        if (!m_dialogs->confirm(m_window, "Destroy VM", "Power off '" + name + "' at once? Its containers die with it."))
            return 0;
        return submit(ops::destroyVm(uri, name));
    case DeleteVm: {
        bool running = vm->record.state == manager::VmState::Running;
        QString question = "Delete VM '" + name + "', its data disk and console log?" +
                           (running ? " It is running and will be destroyed first." : "") +
                           " Its checkpoints are kept.";
        if (!m_dialogs->confirm(m_window, "Delete VM", question))
            return 0;
        return submit(ops::deleteVm(uri, name, running));
    }
    default: return 0;
    }
}

int ActionController::newContainer()
{
    std::vector<protocol::ImageInfo> images;
    if (m_snapshot)
        for (const auto& i : m_snapshot->images)
            images.push_back(i.info);
    auto request = m_dialogs->askNewContainer(m_window, VmChoice{m_selection.uri, m_selection.vm}, images);
    if (!request)
        return 0;
    if (!request->image.isEmpty())
        return submit(
            ops::createContainerFromImage(request->uri, request->vm, request->spec, request->image, request->network));
    return submit(ops::createContainer(request->uri, request->vm, request->spec, request->network));
}

int ActionController::exec()
{
    QString uri = m_selection.uri, vm = m_selection.vm, ct = m_selection.container;
    ExecRunner run = [this, uri, vm, ct](const QStringList& argv, std::function<void(const ExecOutcome&)> done) {
        OperationSpec spec = ops::execInContainer(uri, vm, ct, argv);
        spec.onSuccess = [done](const OperationResult& r) { done(ExecOutcome{true, r.data, {}}); };
        spec.onFailure = [done](const Error& e) { done(ExecOutcome{false, {}, QString::fromStdString(e.describe())}); };
        submit(std::move(spec));
    };
    m_dialogs->runExec(m_window, vm + "/" + ct, std::move(run));
    return 0;
}

int ActionController::containerAction(Id id)
{
    const ContainerInfo* ct = selectedContainer();
    if (!ct)
        return 0;
    QString uri = m_selection.uri, vm = m_selection.vm, name = m_selection.container;
    switch (id) {
    case StopContainer: return submit(ops::stopContainer(uri, vm, name));
    case KillContainer: return submit(ops::killContainer(uri, vm, name, "KILL", true));
    case DeleteContainer: {
        bool running = ct->record.state == manager::ContainerState::Running;
        if (!m_dialogs->confirm(m_window, "Delete container",
                                "Delete container '" + name + "' in " + vm + "?" +
                                    (running ? " It is running and will be killed first." : "")))
            return 0;
        return submit(ops::deleteContainer(uri, vm, name, running));
    }
    default: return 0;
    }
}

int ActionController::checkpoint()
{
    QString target = m_selection.vm + "/" + m_selection.container;
    auto request = m_dialogs->askCheckpoint(m_window, target);
    if (!request)
        return 0;
    return submit(ops::checkpointContainer(m_selection.uri, m_selection.vm, m_selection.container,
                                           request->leaveRunning, request->tag));
}

int ActionController::restore()
{
    const auto* cp = selectedCheckpoint();
    if (!cp)
        return 0;
    auto request = m_dialogs->askRestore(m_window, *cp, runningVms({}, {}));
    if (!request || request->target.name.isEmpty())
        return 0;
    return submit(ops::restoreCheckpoint(request->target.uri, QString::fromStdString(cp->id), request->target.name,
                                         request->newName));
}

int ActionController::migrate(const std::optional<VmChoice>& preselected)
{
    QString source = m_selection.vm + "/" + m_selection.container;
    auto request = m_dialogs->askMigrate(m_window, source, runningVms(m_selection.uri, m_selection.vm), preselected);
    if (!request || request->target.name.isEmpty())
        return 0;
    OperationSpec spec = ops::migrateContainer(m_selection.uri, m_selection.vm, m_selection.container,
                                               request->target.name, request->live);
    spec.onSuccess = [this, source](const OperationResult& r) {
        m_dialogs->showMessage(m_window, "Migration done", source + ": " + r.summary);
    };
    return submit(std::move(spec));
}

int ActionController::checkpointAction(Id id)
{
    const auto* cp = selectedCheckpoint();
    if (!cp)
        return 0;
    QString uri = checkpointHost(*cp), cpId = QString::fromStdString(cp->id);
    if (id == VerifyCheckpoint)
        return submit(ops::verifyCheckpoint(uri, cpId));
    if (!m_dialogs->confirm(m_window, "Delete checkpoint", "Delete checkpoint " + cpId.left(12) + " and its files?"))
        return 0;
    return submit(ops::deleteCheckpoint(uri, cpId));
}

void ActionController::migrateDropped(const QString& uri, const QString& vm, const QString& container,
                                      const QString& target)
{
    Selection s;
    s.kind = Selection::Kind::Container;
    s.uri = uri;
    s.vm = vm;
    s.container = container;
    setSelection(s);
    if (m_actions[Migrate]->isEnabled())
        migrate(VmChoice{uri, target});
}

AboutInfo ActionController::aboutInfo() const
{
    AboutInfo info;
    info.pidvisor = PIDVISOR_VERSION;
    info.qt = qVersion();
    info.protocol = QString::number(protocol::kProtocolVersion);
    if (!m_snapshot)
        return info;
    for (const auto& h : m_snapshot->hosts) {
        if (h.link != HostInfo::Link::Connected)
            continue;
        info.hosts << QString::fromStdString(h.record.uri + ": libvirt " + h.libvirtVersion + ", QEMU " +
                                             h.hypervisorVersion);
        for (const auto& v : h.vms)
            if (v.agent.state == AgentStatus::State::Connected)
                info.agents << QString::fromStdString(v.record.name + ": agent " + v.agent.agentVersion +
                                                      ", protocol " + std::to_string(v.agent.protocol) + ", kernel " +
                                                      v.agent.kernelRelease + ", CRIU " +
                                                      (v.agent.criuVersion.empty() ? "-" : v.agent.criuVersion));
    }
    return info;
}

} // namespace pidvisor::gui
