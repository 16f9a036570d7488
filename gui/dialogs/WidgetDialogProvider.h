// WidgetDialogProvider: the DialogProvider people use: each question is a
// real modal dialog (the exec dialog stays open while commands run).
#pragma once

#include "DialogProvider.h"

namespace pidvisor::gui {

class WidgetDialogProvider : public DialogProvider {
public:
    std::optional<QString> askConnection(QWidget* parent) override;
    std::optional<NewVmRequest> askNewVm(QWidget* parent, const QStringList& hosts, const QString& preferred) override;
    std::optional<NewContainerRequest> askNewContainer(QWidget* parent, const VmChoice& vm,
                                                       const std::vector<protocol::ImageInfo>& images) override;
    void runExec(QWidget* parent, const QString& target, ExecRunner run) override;
    std::optional<CheckpointRequest> askCheckpoint(QWidget* parent, const QString& target) override;
    std::optional<RestoreRequest> askRestore(QWidget* parent, const manager::CheckpointRecord& checkpoint,
                                             const std::vector<VmChoice>& targets) override;
    std::optional<MigrateRequest> askMigrate(QWidget* parent, const QString& source,
                                             const std::vector<VmChoice>& targets,
                                             const std::optional<VmChoice>& preselected) override;
    std::optional<ImageImportRequest> askImportImage(QWidget* parent) override;
    std::optional<ImageCreateRequest> askCreateImage(QWidget* parent) override;
    bool confirm(QWidget* parent, const QString& title, const QString& question) override;
    void showAbout(QWidget* parent, const AboutInfo& info) override;
    void showMessage(QWidget* parent, const QString& title, const QString& text) override;
};

} // namespace pidvisor::gui
