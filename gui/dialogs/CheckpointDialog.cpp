#include "CheckpointDialog.h"

#include "DialogParts.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace pidvisor::gui {

CheckpointDialog::CheckpointDialog(const QString& target, QWidget* parent) : QDialog(parent)
{
    setWindowTitle("Checkpoint " + target);
    m_leaveRunning = new QCheckBox("Leave the container running");
    m_leaveRunning->setObjectName("leaveRunning");
    m_leaveRunning->setChecked(true);
    m_tag = new QLineEdit;
    m_tag->setObjectName("tag");
    m_tag->setPlaceholderText("optional, e.g. before-upgrade");
    auto* form = new QFormLayout;
    form->addRow(new QLabel("CRIU dumps the container's processes with their virtual pids;\n"
                            "the checkpoint is copied to this host and verified."));
    form->addRow(QString(), m_leaveRunning);
    form->addRow("Tag", m_tag);
    auto* buttons = okCancelButtons(this, "Checkpoint");
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

CheckpointRequest CheckpointDialog::request() const
{
    return CheckpointRequest{m_leaveRunning->isChecked(), m_tag->text().trimmed()};
}

void CheckpointDialog::setRequest(const CheckpointRequest& request)
{
    m_leaveRunning->setChecked(request.leaveRunning);
    m_tag->setText(request.tag);
}

} // namespace pidvisor::gui
