// VmDetailsPage: a VM's settings, its agent's status and capabilities, and
// the tail of its serial console log (fetched by the backend on request,
// since it lives in a file on the host or behind a remote libvirt).
#pragma once

#include "backend/Snapshot.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace pidvisor::gui {

class FormPage;

class VmDetailsPage : public QWidget {
    Q_OBJECT
public:
    explicit VmDetailsPage(QWidget* parent = nullptr);

    // `fresh`: another VM than before (the console is cleared and asked for).
    void show(const HostInfo& host, const VmInfo& vm, bool fresh);
    void setConsoleLog(const QString& text, const QString& error);
    [[nodiscard]] FormPage* settings() const { return m_settings; }

signals:
    void consoleRequested(const QString& uri, const QString& vm);

private:
    QTabWidget* m_tabs;
    FormPage* m_settings;
    FormPage* m_agent;
    QPlainTextEdit* m_console;
    QLabel* m_consoleStatus;
    QString m_uri, m_vm;
};

} // namespace pidvisor::gui
