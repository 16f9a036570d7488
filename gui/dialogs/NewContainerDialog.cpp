#include "NewContainerDialog.h"

#include "CommandLine.h"
#include "DialogParts.h"

#include "protocol/ImageDefaults.h"
#include "protocol/Names.h"
#include "protocol/Schema.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>

namespace pidvisor::gui {

NewContainerDialog::NewContainerDialog(const VmChoice& vm, QWidget* parent, std::vector<protocol::ImageInfo> images)
    : QDialog(parent), m_vm(vm), m_images(std::move(images))
{
    setWindowTitle("New container in " + vm.name);
    auto* form = new QFormLayout;
    m_name = new QLineEdit;
    m_name->setObjectName("name");
    m_command = new QLineEdit;
    m_command->setObjectName("command");
    m_command->setPlaceholderText("/bin/sh -c 'while sleep 1; do date; done'");
    m_hostname = new QLineEdit;
    m_hostname->setObjectName("hostname");
    m_hostname->setPlaceholderText("its name");
    m_cwd = new QLineEdit;
    m_cwd->setPlaceholderText("/");
    m_env = new QPlainTextEdit;
    m_env->setPlaceholderText("KEY=VALUE, one a line");
    m_env->setMaximumHeight(70);
    m_memory = new QSpinBox;
    m_memory->setObjectName("memory");
    m_memory->setRange(0, 1 << 24);
    m_memory->setSpecialValueText("no limit");
    m_memory->setSuffix(" MiB");
    m_pids = new QSpinBox;
    m_pids->setObjectName("pids");
    m_pids->setRange(0, 1 << 22);
    m_pids->setSpecialValueText("no limit");
    m_init = new QCheckBox("Run a tiny init as pid 1 (forwards signals, reaps orphans)");
    m_init->setObjectName("init");
    m_privileged = new QCheckBox("Privileged: every capability, no seccomp filter, every device (not confined)");
    m_privileged->setObjectName("privileged");
    m_userns = new QCheckBox("Own user namespace: its root is an unprivileged uid range of the VM");
    m_userns->setObjectName("userns");
    m_image = new QComboBox;
    m_image->setObjectName("image");
    m_image->addItem("(the VM's own files)");
    for (const auto& i : m_images)
        m_image->addItem(QString::fromStdString(i.name));
    m_network = new QComboBox;
    m_network->setObjectName("network");
    m_network->addItem("An address on the VM's network");
    m_network->addItem("Loopback only");
    m_address = new QLineEdit;
    m_address->setObjectName("address");
    m_address->setPlaceholderText("the next free one");
    m_imageDefault = new QLabel;
    m_imageDefault->setObjectName("imageDefault");
    m_imageDefault->setWordWrap(true);
    form->addRow("Name", m_name);
    form->addRow("Image", m_image);
    form->addRow(QString(), m_imageDefault);
    form->addRow("Command", m_command);
    form->addRow("Hostname", m_hostname);
    form->addRow("Working directory", m_cwd);
    form->addRow("Environment", m_env);
    form->addRow("Memory limit", m_memory);
    form->addRow("Process limit", m_pids);
    form->addRow(QString(), m_init);
    form->addRow(QString(), m_privileged);
    form->addRow(QString(), m_userns);
    form->addRow("Network", m_network);
    form->addRow("Address", m_address);
    m_problem = problemLabel();
    m_buttons = okCancelButtons(this, "Create");
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_name, &QLineEdit::textChanged, this, &NewContainerDialog::validate);
    connect(m_image, &QComboBox::currentIndexChanged, this, &NewContainerDialog::validate);
    connect(m_command, &QLineEdit::textChanged, this, &NewContainerDialog::validate);
    connect(m_hostname, &QLineEdit::textChanged, this, &NewContainerDialog::validate);
    connect(m_cwd, &QLineEdit::textChanged, this, &NewContainerDialog::validate);
    connect(m_env, &QPlainTextEdit::textChanged, this, &NewContainerDialog::validate);
    connect(m_memory, &QSpinBox::valueChanged, this, &NewContainerDialog::validate);
    connect(m_pids, &QSpinBox::valueChanged, this, &NewContainerDialog::validate);
    connect(m_network, &QComboBox::currentIndexChanged, this, &NewContainerDialog::validate);
    connect(m_address, &QLineEdit::textChanged, this, &NewContainerDialog::validate);
    validate();
}

QString NewContainerDialog::problem() const
{
    if (m_name->text().isEmpty())
        return "name the container";
    if (auto ok = protocol::validateName("container name", m_name->text().toStdString()); !ok)
        return QString::fromStdString(ok.error().message);
    const protocol::ImageInfo* image = chosenImage();
    if (!image && splitCommandLine(m_command->text()).isEmpty())
        return "give a command";
    if (!m_cwd->text().isEmpty() && !m_cwd->text().startsWith('/'))
        return "the working directory must be an absolute path";
    if (!m_address->text().isEmpty()) {
        if (auto ok = protocol::checkIpv4("address", m_address->text().toStdString()); !ok)
            return QString::fromStdString(ok.error().message);
    }
    // The rest as the agent will check it: the spec's one validation, after
    // the image's defaults where there is an image.
    protocol::ContainerSpec checkedSpec = spec();
    if (image) {
        std::vector<std::string> command = std::move(checkedSpec.argv);
        checkedSpec.argv.clear();
        if (auto applied = protocol::applyImage(checkedSpec, *image, command, !m_cwd->text().isEmpty()); !applied)
            return QString::fromStdString(applied.error().message);
    }
    if (auto checked = protocol::decode<protocol::ContainerSpec>(protocol::encode(checkedSpec), protocol::Unknown::Refuse);
        !checked)
        return QString::fromStdString(checked.error().message);
    return {};
}

const protocol::ImageInfo* NewContainerDialog::chosenImage() const
{
    int i = m_image->currentIndex() - 1;
    return i >= 0 && i < static_cast<int>(m_images.size()) ? &m_images[static_cast<std::size_t>(i)] : nullptr;
}

bool NewContainerDialog::setImage(const QString& name)
{
    if (name.isEmpty()) {
        m_image->setCurrentIndex(0);
        return true;
    }
    int i = m_image->findText(name);
    if (i <= 0)
        return false;
    m_image->setCurrentIndex(i);
    return true;
}

void NewContainerDialog::validate()
{
    m_address->setEnabled(m_network->currentIndex() == 0);
    if (m_network->currentIndex() != 0)
        m_address->clear();
    const protocol::ImageInfo* image = chosenImage();
    if (image) {
        std::string def = protocol::defaultCommandText(image->config);
        m_imageDefault->setText(def.empty() ? QString("the image has no default command: give one")
                                            : "default command: " + QString::fromStdString(def));
        m_command->setPlaceholderText("(the image's default)");
    } else {
        m_imageDefault->setText(QString());
        m_command->setPlaceholderText("/bin/sh -c 'while sleep 1; do date; done'");
    }
    m_imageDefault->setVisible(image != nullptr);
    showProblem(m_problem, m_buttons, problem(), !m_name->text().isEmpty());
}

protocol::ContainerSpec NewContainerDialog::spec() const
{
    protocol::ContainerSpec spec;
    spec.name = m_name->text().toStdString();
    for (const QString& a : splitCommandLine(m_command->text()))
        spec.argv.push_back(a.toStdString());
    if (!m_hostname->text().isEmpty())
        spec.hostname = m_hostname->text().toStdString();
    if (!m_cwd->text().isEmpty())
        spec.cwd = m_cwd->text().toStdString();
    for (const QString& e : m_env->toPlainText().split('\n', Qt::SkipEmptyParts))
        spec.env.push_back(e.trimmed().toStdString());
    if (m_memory->value() > 0)
        spec.memoryMiB = m_memory->value();
    if (m_pids->value() > 0)
        spec.pidsMax = m_pids->value();
    spec.init = m_init->isChecked();
    spec.privileged = m_privileged->isChecked();
    if (m_userns->isChecked())
        spec.userns = protocol::UserNamespace{}; // the agent picks a free range
    return spec;
}

NewContainerRequest NewContainerDialog::request() const
{
    const protocol::ImageInfo* image = chosenImage();
    manager::NetworkChoice network{m_network->currentIndex() == 1, m_address->text().trimmed().toStdString()};
    return NewContainerRequest{m_vm.uri, m_vm.name, spec(), image ? QString::fromStdString(image->name) : QString(),
                               network};
}

void NewContainerDialog::setName(const QString& name)
{
    m_name->setText(name);
}

void NewContainerDialog::setCommand(const QString& command)
{
    m_command->setText(command);
}

void NewContainerDialog::setLimits(int memoryMiB, int pids)
{
    m_memory->setValue(memoryMiB);
    m_pids->setValue(pids);
}

void NewContainerDialog::setInit(bool init)
{
    m_init->setChecked(init);
}

void NewContainerDialog::setPrivileged(bool privileged)
{
    m_privileged->setChecked(privileged);
}

void NewContainerDialog::setUserNamespace(bool userns)
{
    m_userns->setChecked(userns);
}

} // namespace pidvisor::gui
