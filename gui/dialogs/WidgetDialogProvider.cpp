#include "WidgetDialogProvider.h"

#include "AboutDialog.h"
#include "AddConnectionDialog.h"
#include "CheckpointDialog.h"
#include "CreateImageDialog.h"
#include "ExecDialog.h"
#include "MigrateDialog.h"
#include "NewContainerDialog.h"
#include "NewVmDialog.h"
#include "RestoreDialog.h"

#include <QFileDialog>
#include <QMessageBox>

namespace pidvisor::gui {

std::optional<QString> WidgetDialogProvider::askConnection(QWidget* parent)
{
    AddConnectionDialog d(parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.uri();
}

std::optional<NewVmRequest> WidgetDialogProvider::askNewVm(QWidget* parent, const QStringList& hosts,
                                                           const QString& preferred)
{
    NewVmDialog d(hosts, preferred, parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.request();
}

std::optional<NewContainerRequest> WidgetDialogProvider::askNewContainer(QWidget* parent, const VmChoice& vm,
                                                                        const std::vector<protocol::ImageInfo>& images)
{
    NewContainerDialog d(vm, parent, images);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.request();
}

void WidgetDialogProvider::runExec(QWidget* parent, const QString& target, ExecRunner run)
{
    ExecDialog d(target, std::move(run), parent);
    d.exec();
}

std::optional<CheckpointRequest> WidgetDialogProvider::askCheckpoint(QWidget* parent, const QString& target)
{
    CheckpointDialog d(target, parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.request();
}

std::optional<RestoreRequest> WidgetDialogProvider::askRestore(QWidget* parent,
                                                               const manager::CheckpointRecord& checkpoint,
                                                               const std::vector<VmChoice>& targets)
{
    RestoreDialog d(checkpoint, targets, parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.request();
}

std::optional<MigrateRequest> WidgetDialogProvider::askMigrate(QWidget* parent, const QString& source,
                                                               const std::vector<VmChoice>& targets,
                                                               const std::optional<VmChoice>& preselected)
{
    MigrateDialog d(source, targets, preselected, parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.request();
}

std::optional<ImageImportRequest> WidgetDialogProvider::askImportImage(QWidget* parent)
{
    QString file = QFileDialog::getOpenFileName(parent, "Import a container image", QString(),
                                                "Image archives (*.tar *.tar.gz *.tgz *.oci);;All files (*)");
    if (file.isEmpty())
        return std::nullopt;
    return ImageImportRequest{file, {}};
}

std::optional<ImageCreateRequest> WidgetDialogProvider::askCreateImage(QWidget* parent)
{
    CreateImageDialog d(parent);
    if (d.exec() != QDialog::Accepted)
        return std::nullopt;
    return d.request();
}

bool WidgetDialogProvider::confirm(QWidget* parent, const QString& title, const QString& question)
{
    return QMessageBox::question(parent, title, question) == QMessageBox::Yes;
}

void WidgetDialogProvider::showAbout(QWidget* parent, const AboutInfo& info)
{
    AboutDialog d(info, parent);
    d.exec();
}

void WidgetDialogProvider::showMessage(QWidget* parent, const QString& title, const QString& text)
{
    QMessageBox::information(parent, title, text);
}

} // namespace pidvisor::gui
