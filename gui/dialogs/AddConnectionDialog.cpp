#include "AddConnectionDialog.h"

#include "DialogParts.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>

namespace pidvisor::gui {

AddConnectionDialog::AddConnectionDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle("Add connection");
    m_uri = new QComboBox;
    m_uri->setObjectName("uri");
    m_uri->setEditable(true);
    m_uri->addItems({"qemu:///system", "qemu:///session", "qemu+ssh://root@HOST/system", "test:///default"});
    m_uri->setMinimumWidth(320);
    auto* form = new QFormLayout;
    form->addRow("libvirt URI", m_uri);
    form->addRow(new QLabel("Remote hosts reach their agents through libvirt streams."));
    m_buttons = okCancelButtons(this, "Connect");
    connect(m_uri, &QComboBox::currentTextChanged, this, [this](const QString& text) {
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(text.contains(":/"));
    });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
}

QString AddConnectionDialog::uri() const
{
    return m_uri->currentText().trimmed();
}

void AddConnectionDialog::setUri(const QString& uri)
{
    m_uri->setCurrentText(uri);
}

} // namespace pidvisor::gui
