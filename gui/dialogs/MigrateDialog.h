// MigrateDialog: moves a container to another VM of the same host, cold
// (stopped while copied) or live (pre-copied while it runs, then a short
// freeze); the downtime is measured and shown when it is done.
#pragma once

#include "DialogRequests.h"

#include <QDialog>

class QCheckBox;
class QComboBox;

namespace pidvisor::gui {

class MigrateDialog : public QDialog {
    Q_OBJECT
public:
    MigrateDialog(const QString& source, std::vector<VmChoice> targets, const std::optional<VmChoice>& preselected,
                  QWidget* parent = nullptr);

    [[nodiscard]] MigrateRequest request() const;
    void setLive(bool live);

private:
    std::vector<VmChoice> m_targets;
    QComboBox* m_target;
    QCheckBox* m_live;
};

} // namespace pidvisor::gui
