#include "ExecDialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include "CommandLine.h"
#include <QPushButton>
#include <QVBoxLayout>

namespace pidvisor::gui {

ExecDialog::ExecDialog(const QString& target, ExecRunner runner, QWidget* parent)
    : QDialog(parent), m_runner(std::move(runner))
{
    setWindowTitle("Run in " + target);
    resize(720, 460);
    m_command = new QLineEdit;
    m_command->setObjectName("command");
    m_command->setPlaceholderText("ps -ef");
    m_run = new QPushButton("Run");
    m_run->setDefault(true);
    auto* row = new QHBoxLayout;
    row->addWidget(m_command, 1);
    row->addWidget(m_run);
    m_output = new QPlainTextEdit;
    m_output->setObjectName("output");
    m_output->setReadOnly(true);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_status = new QLabel("Commands run inside the container's namespaces.");
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_output, 1);
    layout->addWidget(m_status);
    layout->addWidget(close);
    connect(m_run, &QPushButton::clicked, this, &ExecDialog::run);
    connect(m_command, &QLineEdit::returnPressed, this, &ExecDialog::run);
}

void ExecDialog::setCommand(const QString& command)
{
    m_command->setText(command);
}

void ExecDialog::run()
{
    QStringList argv = splitCommandLine(m_command->text());
    if (argv.isEmpty() || m_running)
        return;
    m_running = true;
    m_run->setEnabled(false);
    m_status->setText("running " + argv.join(' ') + "…");
    QPointer<ExecDialog> self(this);
    m_runner(argv, [self](const ExecOutcome& outcome) {
        if (self)
            self->show(outcome);
    });
}

void ExecDialog::show(const ExecOutcome& o)
{
    m_running = false;
    m_run->setEnabled(true);
    m_output->appendPlainText("$ " + m_command->text());
    if (!o.ok) {
        m_output->appendPlainText(o.error);
        m_status->setText("failed: " + o.error);
        emit ran(false);
        return;
    }
    auto text = [&](const char* key) { return QString::fromStdString(o.result.value(key, "")); };
    if (!text("stdout").isEmpty())
        m_output->appendPlainText(text("stdout").trimmed());
    if (!text("stderr").isEmpty())
        m_output->appendPlainText(text("stderr").trimmed());
    QString status = QString("exit code %1").arg(o.result.value("exit_code", -1));
    if (o.result.value("signal", 0) != 0)
        status += QString(", killed by signal %1").arg(o.result.value("signal", 0));
    if (o.result.value("timed_out", false))
        status += ", timed out";
    if (o.result.value("stdout_truncated", false) || o.result.value("stderr_truncated", false))
        status += ", output truncated at 1 MiB";
    m_status->setText(status);
    emit ran(true);
}

QString ExecDialog::output() const
{
    return m_output->toPlainText();
}

QString ExecDialog::status() const
{
    return m_status->text();
}

} // namespace pidvisor::gui
