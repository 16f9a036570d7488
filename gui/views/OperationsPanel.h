// OperationsPanel: the operations the GUI started, newest first, with a
// Cancel button (enabled only for operations that can be cancelled safely)
// and the selected operation's whole story below: stages, result, the
// error in full and the log to read next.
#pragma once

#include <QWidget>

class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace pidvisor::gui {

class OperationRunner;

class OperationsPanel : public QWidget {
    Q_OBJECT
public:
    explicit OperationsPanel(OperationRunner* runner, QWidget* parent = nullptr);

    [[nodiscard]] QTableView* table() const { return m_table; }
    [[nodiscard]] int currentId() const;
    void cancelCurrent();

private:
    void updateDetails();

    OperationRunner* m_runner;
    QTableView* m_table;
    QPlainTextEdit* m_details;
    QPushButton* m_cancel;
};

} // namespace pidvisor::gui
