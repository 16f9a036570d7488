// DialogProvider: the seam between the actions and the dialogs. The window
// asks it for every decision a person makes (which URI, what VM, confirm a
// deletion...); WidgetDialogProvider shows the real dialogs, tests provide
// scripted answers so whole flows run without anyone clicking.
#pragma once

#include "DialogRequests.h"

#include <optional>

class QWidget;

namespace pidvisor::gui {

class DialogProvider {
public:
    virtual ~DialogProvider() = default;

    virtual std::optional<QString> askConnection(QWidget* parent) = 0;
    // `hosts`: connected URIs; `preferred` first.
    virtual std::optional<NewVmRequest> askNewVm(QWidget* parent, const QStringList& hosts,
                                                 const QString& preferred) = 0;
    // `images`: the host's container images to offer.
    virtual std::optional<NewContainerRequest> askNewContainer(QWidget* parent, const VmChoice& vm,
                                                               const std::vector<protocol::ImageInfo>& images) = 0;
    // Runs until the person closes it; each run goes through `run`.
    virtual void runExec(QWidget* parent, const QString& target, ExecRunner run) = 0;
    virtual std::optional<CheckpointRequest> askCheckpoint(QWidget* parent, const QString& target) = 0;
    virtual std::optional<RestoreRequest> askRestore(QWidget* parent, const manager::CheckpointRecord& checkpoint,
                                                     const std::vector<VmChoice>& targets) = 0;
    virtual std::optional<MigrateRequest> askMigrate(QWidget* parent, const QString& source,
                                                     const std::vector<VmChoice>& targets,
                                                     const std::optional<VmChoice>& preselected) = 0;
    virtual std::optional<ImageImportRequest> askImportImage(QWidget* parent) = 0;
    virtual std::optional<ImageCreateRequest> askCreateImage(QWidget* parent) = 0;
    virtual bool confirm(QWidget* parent, const QString& title, const QString& question) = 0;
    virtual void showAbout(QWidget* parent, const AboutInfo& info) = 0;
    virtual void showMessage(QWidget* parent, const QString& title, const QString& text) = 0;
};

} // namespace pidvisor::gui
