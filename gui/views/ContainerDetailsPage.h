// ContainerDetailsPage: a container's spec, its processes with virtual and
// global pids side by side (from the latest snapshot), and its console
// output (fetched from the agent on request).
#pragma once

#include "backend/Snapshot.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;

namespace pidvisor::gui {

class FormPage;

class ContainerDetailsPage : public QWidget {
    Q_OBJECT
public:
    explicit ContainerDetailsPage(QWidget* parent = nullptr);

    void show(const QString& uri, const VmInfo& vm, const ContainerInfo& container, bool fresh);
    void setLogs(const QString& text, const QString& error);
    [[nodiscard]] QTableWidget* processTable() const { return m_processes; }
    [[nodiscard]] FormPage* specPage() const { return m_spec; }

signals:
    void logsRequested(const QString& uri, const QString& vm, const QString& container);

private:
    void showProcesses(const ContainerInfo& c);

    FormPage* m_spec;
    QTableWidget* m_processes;
    QLabel* m_processNote;
    QPlainTextEdit* m_logs;
    QLabel* m_logStatus;
    QString m_uri, m_vm, m_name;
};

} // namespace pidvisor::gui
