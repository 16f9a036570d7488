// BackendThread: owns the Backend and the QThread it lives on. Starting
// moves the backend there and invokes Backend::start() on it; destruction
// shuts the backend down on its own thread, then stops the thread.
#pragma once

#include "Backend.h"

#include <QThread>

namespace pidvisor::gui {

class BackendThread {
public:
    explicit BackendThread(Backend::Options options);
    ~BackendThread();
    BackendThread(const BackendThread&) = delete;
    BackendThread& operator=(const BackendThread&) = delete;

    [[nodiscard]] Backend* backend() const { return m_backend; }
    void start();

private:
    QThread m_thread;
    Backend* m_backend;
};

} // namespace pidvisor::gui
