// CheckpointDialog: asks how to checkpoint a container: leave it running
// afterwards or stop it, and an optional tag to find the checkpoint by.
#pragma once

#include "DialogRequests.h"

#include <QDialog>

class QCheckBox;
class QLineEdit;

namespace pidvisor::gui {

class CheckpointDialog : public QDialog {
    Q_OBJECT
public:
    explicit CheckpointDialog(const QString& target, QWidget* parent = nullptr);

    [[nodiscard]] CheckpointRequest request() const;
    void setRequest(const CheckpointRequest& request);

private:
    QCheckBox* m_leaveRunning;
    QLineEdit* m_tag;
};

} // namespace pidvisor::gui
