#include "RestoreDialog.h"

#include "DialogParts.h"

#include "models/Format.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace pidvisor::gui {

RestoreDialog::RestoreDialog(const manager::CheckpointRecord& cp, std::vector<VmChoice> targets, QWidget* parent)
    : QDialog(parent), m_targets(std::move(targets))
{
    setWindowTitle("Restore checkpoint");
    auto* form = new QFormLayout;
    form->addRow("Checkpoint", new QLabel(QString::fromStdString(cp.id.substr(0, 12)) + " — " +
                                          QString::fromStdString(cp.containerName) + " from " +
                                          QString::fromStdString(cp.vmName) + ", " +
                                          format::localTime(cp.createdAt)));
    m_target = new QComboBox;
    m_target->setObjectName("target");
    for (const auto& t : m_targets)
        m_target->addItem(t.label());
    m_name = new QLineEdit;
    m_name->setObjectName("newName");
    m_name->setPlaceholderText(QString::fromStdString(cp.containerName));
    form->addRow("Into VM", m_target);
    form->addRow("As", m_name);
    m_buttons = okCancelButtons(this, "Restore");
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_targets.empty());
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    if (m_targets.empty())
        layout->addWidget(new QLabel("No running VM to restore into."));
    layout->addWidget(m_buttons);
}

RestoreRequest RestoreDialog::request() const
{
    int i = m_target->currentIndex();
    RestoreRequest r;
    if (i >= 0 && static_cast<std::size_t>(i) < m_targets.size())
        r.target = m_targets[static_cast<std::size_t>(i)];
    r.newName = m_name->text().trimmed();
    return r;
}

void RestoreDialog::setTarget(const VmChoice& target)
{
    for (std::size_t i = 0; i < m_targets.size(); ++i)
        if (m_targets[i] == target)
            m_target->setCurrentIndex(static_cast<int>(i));
}

void RestoreDialog::setNewName(const QString& name)
{
    m_name->setText(name);
}

} // namespace pidvisor::gui
