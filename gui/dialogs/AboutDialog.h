// AboutDialog: what this Pidvisor is made of: its version, Qt's, the agent
// protocol's, and for each connection the libvirt and QEMU versions, and
// the agents that answered.
#pragma once

#include "DialogRequests.h"

#include <QDialog>

namespace pidvisor::gui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(const AboutInfo& info, QWidget* parent = nullptr);

    [[nodiscard]] static QString text(const AboutInfo& info);
};

} // namespace pidvisor::gui
