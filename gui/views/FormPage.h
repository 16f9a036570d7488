// FormPage: a title, a subtitle and label/value rows, the building block
// of the details pane (a host or a process is just this; VMs, containers
// and checkpoints put one in their first tab). Values are selectable text;
// rows are reused between updates so refreshes do not flicker.
#pragma once

#include <QWidget>

#include <utility>
#include <vector>

class QFormLayout;
class QLabel;

namespace pidvisor::gui {

class FormPage : public QWidget {
    Q_OBJECT
public:
    using Rows = std::vector<std::pair<QString, QString>>;

    explicit FormPage(QWidget* parent = nullptr);

    void setTitle(const QString& title, const QString& subtitle = {});
    void setRows(const Rows& rows);
    [[nodiscard]] QString value(const QString& label) const;

private:
    QLabel* m_title;
    QLabel* m_subtitle;
    QFormLayout* m_form;
    std::vector<std::pair<QLabel*, QLabel*>> m_rows;
};

} // namespace pidvisor::gui
