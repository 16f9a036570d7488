// ExecDialog: runs commands in a container and shows their output. Each
// run goes through an ExecRunner (an operation on a worker thread), so the
// dialog stays responsive; stdout, stderr, the exit code and truncation or
// timeout are shown when the command ends. Tests call setCommand(), run()
// and read output().
#pragma once

#include "DialogRequests.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace pidvisor::gui {

class ExecDialog : public QDialog {
    Q_OBJECT
public:
    ExecDialog(const QString& target, ExecRunner runner, QWidget* parent = nullptr);

    void setCommand(const QString& command);
    void run();
    [[nodiscard]] QString output() const;
    [[nodiscard]] QString status() const;
    [[nodiscard]] bool running() const { return m_running; }

signals:
    void ran(bool ok);

private:
    void show(const ExecOutcome& outcome);

    ExecRunner m_runner;
    QLineEdit* m_command;
    QPushButton* m_run;
    QPlainTextEdit* m_output;
    QLabel* m_status;
    bool m_running = false;
};

} // namespace pidvisor::gui
