#include "NewVmDialog.h"

#include "DialogParts.h"

#include "protocol/Names.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace pidvisor::gui {

NewVmDialog::NewVmDialog(const QStringList& hosts, const QString& preferred, QWidget* parent) : QDialog(parent)
{
    setWindowTitle("New VM");
    auto* form = new QFormLayout;
    m_host = new QComboBox;
    m_host->setObjectName("host");
    m_host->addItems(hosts);
    m_host->setCurrentText(preferred);
    m_name = new QLineEdit;
    m_name->setObjectName("name");
    m_name->setPlaceholderText("letters, digits, . _ -");
    m_memory = new QSpinBox;
    m_memory->setObjectName("memory");
    m_memory->setRange(128, 1 << 20);
    m_memory->setSingleStep(128);
    m_memory->setValue(512);
    m_memory->setSuffix(" MiB");
    m_vcpus = new QSpinBox;
    m_vcpus->setObjectName("vcpus");
    m_vcpus->setRange(1, 64);
    m_kernel = new QComboBox;
    m_kernel->setObjectName("kernel");
    m_kernel->setEditable(true);
    m_kernel->addItems({"container", "stock"}); // ours first: the default
    auto* browse = new QPushButton("Browse…");
    connect(browse, &QPushButton::clicked, this, &NewVmDialog::browseKernel);
    auto* kernelRow = new QHBoxLayout;
    kernelRow->addWidget(m_kernel, 1);
    kernelRow->addWidget(browse);
    m_accel = new QComboBox;
    m_accel->setObjectName("accel");
    m_accel->addItem("auto (KVM when the CPU offers it)", "auto");
    m_accel->addItem("KVM", "kvm");
    m_accel->addItem("TCG (emulation)", "tcg");
    m_disk = new QSpinBox;
    m_disk->setObjectName("disk");
    m_disk->setRange(0, 1 << 20);
    m_disk->setSpecialValueText("none");
    m_disk->setSuffix(" MiB");
    m_disk->setValue(static_cast<int>(manager::VmCreateOptions{}.diskMiB));
    m_disk->setToolTip("Keeps containers' files across VM restarts (sparse: it takes what is written)");
    m_network = new QComboBox;
    m_network->setObjectName("network");
    m_network->setEditable(true);
    m_network->addItems({"pidvisor", "none"}); // the first stands for the default network
    m_network->setToolTip("The libvirt network of the VM's NIC: Pidvisor's own (made when missing), "
                          "another libvirt network by name, or none");
    m_timeout = new QSpinBox;
    m_timeout->setObjectName("timeout");
    m_timeout->setRange(10, 3600);
    m_timeout->setValue(180);
    m_timeout->setSuffix(" s");
    form->addRow("Host", m_host);
    form->addRow("Name", m_name);
    form->addRow("Memory", m_memory);
    form->addRow("vCPUs", m_vcpus);
    form->addRow("Kernel", kernelRow);
    form->addRow("Acceleration", m_accel);
    form->addRow("Data disk", m_disk);
    form->addRow("Network", m_network);
    form->addRow("Wait for agent", m_timeout);
    m_problem = problemLabel();
    m_buttons = okCancelButtons(this, "Create");
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_name, &QLineEdit::textChanged, this, &NewVmDialog::validate);
    connect(m_kernel, &QComboBox::currentTextChanged, this, &NewVmDialog::validate);
    connect(m_host, &QComboBox::currentTextChanged, this, &NewVmDialog::validate);
    validate();
}

void NewVmDialog::browseKernel()
{
    QString file = QFileDialog::getOpenFileName(this, "Kernel image");
    if (!file.isEmpty())
        m_kernel->setCurrentText(file);
}

QString NewVmDialog::problem() const
{
    if (m_host->currentText().isEmpty())
        return "no connected host";
    if (m_name->text().isEmpty())
        return "name the VM";
    if (auto ok = protocol::validateName("VM name", m_name->text().toStdString()); !ok)
        return QString::fromStdString(ok.error().message);
    if (m_kernel->currentText().trimmed().isEmpty())
        return "choose a kernel";
    return {};
}

bool NewVmDialog::isValid() const
{
    return problem().isEmpty();
}

void NewVmDialog::validate()
{
    // An empty name is not an error yet, just not done.
    showProblem(m_problem, m_buttons, problem(), !m_name->text().isEmpty());
}

NewVmRequest NewVmDialog::request() const
{
    NewVmRequest r;
    r.uri = m_host->currentText();
    r.options.name = m_name->text().toStdString();
    r.options.memoryMiB = m_memory->value();
    r.options.vcpus = m_vcpus->value();
    r.options.kernel = m_kernel->currentText().trimmed().toStdString();
    r.options.accel = m_accel->currentData().toString().toStdString();
    r.options.diskMiB = m_disk->value();
    // The default entry stands for the default network ($PIDVISOR_NETWORK).
    QString network = m_network->currentText().trimmed();
    r.options.network = network == "pidvisor" && m_network->currentIndex() == 0 ? std::string() : network.toStdString();
    r.options.bootTimeout = std::chrono::seconds(m_timeout->value());
    return r;
}

void NewVmDialog::setRequest(const NewVmRequest& r)
{
    if (m_host->findText(r.uri) < 0)
        m_host->addItem(r.uri);
    m_host->setCurrentText(r.uri);
    m_name->setText(QString::fromStdString(r.options.name));
    m_memory->setValue(static_cast<int>(r.options.memoryMiB));
    m_vcpus->setValue(r.options.vcpus);
    m_kernel->setCurrentText(QString::fromStdString(r.options.kernel));
    m_accel->setCurrentIndex(std::max(0, m_accel->findData(QString::fromStdString(r.options.accel))));
    m_disk->setValue(static_cast<int>(r.options.diskMiB));
    if (r.options.network.empty())
        m_network->setCurrentIndex(0);
    else
        m_network->setCurrentText(QString::fromStdString(r.options.network));
    m_timeout->setValue(static_cast<int>(r.options.bootTimeout.count()));
}

} // namespace pidvisor::gui
