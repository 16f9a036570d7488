#include "DialogParts.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>

namespace pidvisor::gui {

QDialogButtonBox* okCancelButtons(QDialog* dialog, const QString& okText)
{
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(okText);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    return buttons;
}

QLabel* problemLabel()
{
    auto* label = new QLabel;
    label->setStyleSheet("color: #b03a2e");
    return label;
}

void showProblem(QLabel* label, QDialogButtonBox* buttons, const QString& why, bool started)
{
    label->setText(started ? why : QString());
    buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

} // namespace pidvisor::gui
