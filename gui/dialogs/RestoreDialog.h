// RestoreDialog: restores a checkpoint into a VM the person picks, under
// its own name or a new one (the virtual pids stay the same either way).
#pragma once

#include "DialogRequests.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLineEdit;

namespace pidvisor::gui {

class RestoreDialog : public QDialog {
    Q_OBJECT
public:
    RestoreDialog(const manager::CheckpointRecord& checkpoint, std::vector<VmChoice> targets,
                  QWidget* parent = nullptr);

    [[nodiscard]] RestoreRequest request() const;
    void setTarget(const VmChoice& target);
    void setNewName(const QString& name);

private:
    std::vector<VmChoice> m_targets;
    QComboBox* m_target;
    QLineEdit* m_name;
    QDialogButtonBox* m_buttons;
};

} // namespace pidvisor::gui
