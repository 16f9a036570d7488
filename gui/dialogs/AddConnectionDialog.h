// AddConnectionDialog: asks for a libvirt URI to connect to, offering the
// usual ones (local system and session, a remote host over SSH, libvirt's
// in-memory test driver).
#pragma once

#include <QDialog>

class QComboBox;
class QDialogButtonBox;

namespace pidvisor::gui {

class AddConnectionDialog : public QDialog {
    Q_OBJECT
public:
    explicit AddConnectionDialog(QWidget* parent = nullptr);

    [[nodiscard]] QString uri() const;
    void setUri(const QString& uri);

private:
    QComboBox* m_uri;
    QDialogButtonBox* m_buttons;
};

} // namespace pidvisor::gui
