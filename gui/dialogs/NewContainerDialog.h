// NewContainerDialog: asks for a new container in a VM: name, an image
// (or the VM's own files; with an image the command is optional and its
// default is shown), command
// (split like a shell would), hostname, working directory, environment,
// memory and pid limits, and whether a tiny init runs as pid 1. request()
// gives container-create's arguments as the protocol's ContainerSpec.
#pragma once

#include "DialogRequests.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace pidvisor::gui {

class NewContainerDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewContainerDialog(const VmChoice& vm, QWidget* parent = nullptr,
                                std::vector<protocol::ImageInfo> images = {});

    [[nodiscard]] NewContainerRequest request() const;
    [[nodiscard]] protocol::ContainerSpec spec() const;
    void setName(const QString& name);
    void setCommand(const QString& command);
    void setLimits(int memoryMiB, int pids);
    void setInit(bool init);
    void setPrivileged(bool privileged);
    void setUserNamespace(bool userns);
    // "" for the VM's own files; false when no such image is offered.
    bool setImage(const QString& name);
    [[nodiscard]] QString problem() const;

private:
    void validate();

    [[nodiscard]] const protocol::ImageInfo* chosenImage() const;

    VmChoice m_vm;
    std::vector<protocol::ImageInfo> m_images;
    QComboBox* m_image;
    QComboBox* m_network; // an address on the VM's network, or loopback only
    QLineEdit* m_address; // "" the next free one
    QLabel* m_imageDefault;
    QLineEdit* m_name;
    QLineEdit* m_command;
    QLineEdit* m_hostname;
    QLineEdit* m_cwd;
    QPlainTextEdit* m_env;
    QSpinBox* m_memory;
    QSpinBox* m_pids;
    QCheckBox* m_init;
    QCheckBox* m_privileged;
    QCheckBox* m_userns;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace pidvisor::gui
