#include "MigrateDialog.h"

#include "DialogParts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>

namespace pidvisor::gui {

MigrateDialog::MigrateDialog(const QString& source, std::vector<VmChoice> targets,
                             const std::optional<VmChoice>& preselected, QWidget* parent)
    : QDialog(parent), m_targets(std::move(targets))
{
    setWindowTitle("Migrate " + source);
    m_target = new QComboBox;
    m_target->setObjectName("target");
    for (std::size_t i = 0; i < m_targets.size(); ++i) {
        m_target->addItem(m_targets[i].label());
        if (preselected && m_targets[i] == *preselected)
            m_target->setCurrentIndex(static_cast<int>(i));
    }
    m_live = new QCheckBox("Live: copy memory while it runs, freeze only for the last round");
    m_live->setObjectName("live");
    auto* form = new QFormLayout;
    form->addRow("Container", new QLabel(source));
    form->addRow("To VM", m_target);
    form->addRow(QString(), m_live);
    auto* buttons = okCancelButtons(this, "Migrate");
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_targets.empty());
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    if (m_targets.empty())
        layout->addWidget(new QLabel("No other running VM on this host."));
    layout->addWidget(buttons);
}

MigrateRequest MigrateDialog::request() const
{
    MigrateRequest r;
    int i = m_target->currentIndex();
    if (i >= 0 && static_cast<std::size_t>(i) < m_targets.size())
        r.target = m_targets[static_cast<std::size_t>(i)];
    r.live = m_live->isChecked();
    return r;
}

void MigrateDialog::setLive(bool live)
{
    m_live->setChecked(live);
}

} // namespace pidvisor::gui
