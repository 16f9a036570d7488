#include "BackendThread.h"

namespace pidvisor::gui {

BackendThread::BackendThread(Backend::Options options) : m_backend(new Backend(std::move(options)))
{
    qRegisterMetaType<SnapshotPtr>("pidvisor::gui::SnapshotPtr");
    qRegisterMetaType<FirstRunReport>("pidvisor::gui::FirstRunReport");
    m_thread.setObjectName("pidvisor-backend");
    m_backend->moveToThread(&m_thread);
}

BackendThread::~BackendThread()
{
    if (m_thread.isRunning()) {
        // Destroyed on its own thread: its timers and sessions belong there.
        QMetaObject::invokeMethod(m_backend, [b = m_backend] { delete b; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    } else {
        delete m_backend;
    }
}

void BackendThread::start()
{
    m_thread.start();
    QMetaObject::invokeMethod(m_backend, &Backend::start, Qt::QueuedConnection);
}

} // namespace pidvisor::gui
