// NewVmDialog: asks for a new VM: host, name, memory, vCPUs, kernel
// (stock, container or a file), acceleration (auto, KVM, TCG), an optional
// data disk and how long to wait for its agent. OK stays disabled until the
// name is valid. Tests fill it with setRequest() and read request().
#pragma once

#include "DialogRequests.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace pidvisor::gui {

class NewVmDialog : public QDialog {
    Q_OBJECT
public:
    NewVmDialog(const QStringList& hosts, const QString& preferred, QWidget* parent = nullptr);

    [[nodiscard]] NewVmRequest request() const;
    void setRequest(const NewVmRequest& request);
    [[nodiscard]] bool isValid() const;
    [[nodiscard]] QString problem() const; // why OK is disabled, or empty

private:
    void validate();
    void browseKernel();

    QComboBox* m_host;
    QLineEdit* m_name;
    QSpinBox* m_memory;
    QSpinBox* m_vcpus;
    QComboBox* m_kernel;
    QComboBox* m_accel;
    QSpinBox* m_disk;
    QComboBox* m_network;
    QSpinBox* m_timeout;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace pidvisor::gui
