// CreateImageDialog: a container image from Debian packages: its name, the
// packages (comma- or space-separated) and the Debian release to build on.
// OK is enabled once ImageService would accept the request
// (checkDebianImageRequest); the line under the form says what is wrong.
#pragma once

#include "DialogRequests.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace pidvisor::gui {

class CreateImageDialog : public QDialog {
    Q_OBJECT
public:
    explicit CreateImageDialog(QWidget* parent = nullptr);

    [[nodiscard]] ImageCreateRequest request() const;
    void setRequest(const ImageCreateRequest& request);
    [[nodiscard]] QString problem() const; // why OK is disabled, or empty

private:
    void validate();

    QLineEdit* m_name;
    QLineEdit* m_packages;
    QComboBox* m_base;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace pidvisor::gui
