#include "CreateImageDialog.h"

#include "DialogParts.h"


#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace pidvisor::gui {

CreateImageDialog::CreateImageDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle("New image from Debian packages");
    m_name = new QLineEdit;
    m_name->setObjectName("name");
    m_name->setPlaceholderText("e.g. redis");
    m_packages = new QLineEdit;
    m_packages->setObjectName("packages");
    m_packages->setPlaceholderText("e.g. redis-server, python3");
    m_base = new QComboBox;
    m_base->setObjectName("base");
    m_base->addItem("Debian 13 (trixie)", "debian:13");
    m_base->addItem("Debian 12 (bookworm)", "debian:12");
    auto* form = new QFormLayout;
    form->addRow(new QLabel("The packages are installed with their dependencies and their\n"
                            "maintainer scripts run; downloads are cached for the next build."));
    form->addRow("Name", m_name);
    form->addRow("Packages", m_packages);
    form->addRow("Base", m_base);
    m_buttons = okCancelButtons(this, "Create");
    m_problem = problemLabel();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_name, &QLineEdit::textChanged, this, &CreateImageDialog::validate);
    connect(m_packages, &QLineEdit::textChanged, this, &CreateImageDialog::validate);
    validate();
}

ImageCreateRequest CreateImageDialog::request() const
{
    ImageCreateRequest r;
    r.name = m_name->text().trimmed().toStdString();
    for (const auto& p : m_packages->text().split(QRegularExpression("[,\\s]+"), Qt::SkipEmptyParts))
        r.packages.push_back(p.toStdString());
    r.base = m_base->currentData().toString().toStdString();
    return r;
}

void CreateImageDialog::setRequest(const ImageCreateRequest& request)
{
    m_name->setText(QString::fromStdString(request.name));
    QStringList packages;
    for (const auto& p : request.packages)
        packages << QString::fromStdString(p);
    m_packages->setText(packages.join(", "));
    int at = m_base->findData(QString::fromStdString(request.base));
    if (at >= 0)
        m_base->setCurrentIndex(at);
    validate();
}

QString CreateImageDialog::problem() const
{
    auto ok = manager::checkDebianImageRequest(request());
    return ok ? QString() : QString::fromStdString(ok.error().message);
}

void CreateImageDialog::validate()
{
    showProblem(m_problem, m_buttons, problem(), !m_name->text().isEmpty() || !m_packages->text().isEmpty());
}

} // namespace pidvisor::gui
