#include "ScreenshotTaker.h"

#include "core/States.h"

#include "views/MainWindow.h"

#include <QApplication>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

namespace pidvisor::gui {

ScreenshotTaker::ScreenshotTaker(MainWindow* window, QString file, bool live, QObject* parent)
    : QObject(parent), m_window(window), m_file(std::move(file)), m_live(live)
{
    // Whatever happens, do not hang: take what there is after a minute.
    QTimer::singleShot(60000, this, [this] { take(); });
}

void ScreenshotTaker::onSnapshot(const SnapshotPtr& snapshot)
{
    ++m_snapshots;
    bool settled = true;
    if (m_live)
        for (const auto& h : snapshot->hosts)
            settled = settled && h.link != HostInfo::Link::Connecting;
    // Live: the first refresh after connecting asks the agents.
    if (!m_taken && settled && (!m_live || m_snapshots >= 3))
        QTimer::singleShot(100, this, [this] { take(); });
}

void ScreenshotTaker::onFailed(const QString& message)
{
    std::fprintf(stderr, "pidvisor-gui: %s\n", message.toLocal8Bit().constData());
    emit done(1);
}

QStringList ScreenshotTaker::stage(MainWindow* w)
{
    const SnapshotPtr& s = w->snapshot();
    if (!s)
        return {};
    // The best row to show: a container with processes, else a running
    // container, else any VM.
    QStringList chosen;
    int rank = 0;
    for (const auto& h : s->hosts)
        for (const auto& v : h.vms) {
            QStringList vmPath{QString::fromStdString(h.record.uri), QString::fromStdString(v.record.name)};
            if (rank < 1)
                chosen = vmPath, rank = 1;
            for (const auto& c : v.containers) {
                bool running = c.record.state == manager::ContainerState::Running;
                int r = !c.processes.empty() ? 3 : running ? 2 : 0;
                if (r > rank)
                    chosen = vmPath + QStringList{QString::fromStdString(c.record.name)}, rank = r;
            }
        }
    if (!chosen.isEmpty())
        w->selectPath(chosen);
    w->showTab(s->checkpoints.empty() ? 0 : 2);
    return chosen;
}

void ScreenshotTaker::take()
{
    if (m_taken)
        return;
    m_taken = true;
    QStringList shown = stage(m_window);
    std::fprintf(stderr, "pidvisor-gui: the screenshot shows %s\n",
                 shown.isEmpty() ? "no VM" : shown.join(' ').toLocal8Bit().constData());
    QApplication::processEvents();
    QImage image = m_window->grab().toImage();
    QFileInfo info(m_file);
    if (!image.save(m_file, "PNG")) {
        std::fprintf(stderr, "pidvisor-gui: cannot write %s\n", m_file.toLocal8Bit().constData());
        emit done(1);
        return;
    }
    std::printf("%s\n", info.absoluteFilePath().toLocal8Bit().constData());
    emit done(0);
}

} // namespace pidvisor::gui
