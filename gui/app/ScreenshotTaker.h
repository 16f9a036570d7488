// ScreenshotTaker: `pidvisor-gui --screenshot FILE`. Waits for the
// backend's first snapshot (with --connect, for the hosts to connect and the
// agents to be asked), selects something worth showing (a container with
// its processes, else a VM), renders the window with QWidget::grab() and
// writes the PNG. Works under the offscreen platform: no display needed.
#pragma once

#include "backend/Snapshot.h"

#include <QObject>
#include <QString>
#include <QStringList>

namespace pidvisor::gui {

class MainWindow;

class ScreenshotTaker : public QObject {
    Q_OBJECT
public:
    ScreenshotTaker(MainWindow* window, QString file, bool live, QObject* parent = nullptr);

    void onSnapshot(const SnapshotPtr& snapshot);
    void onFailed(const QString& message);
    // Chooses the row to show and the bottom tab; used by tests too.
    // Returns the row's path (host URI, VM, container), empty when none.
    static QStringList stage(MainWindow* window);

signals:
    void done(int exitCode);

private:
    void take();

    MainWindow* m_window;
    QString m_file;
    bool m_live;
    int m_snapshots = 0;
    bool m_taken = false;
};

} // namespace pidvisor::gui
