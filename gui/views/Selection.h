// Selection: what the person has selected, by the names they see (host
// uri, VM, container, virtual pid, or a checkpoint id): the details pane
// shows it and the actions act on it.
#pragma once

#include <QString>

namespace pidvisor::gui {

struct Selection {
    enum class Kind { None, Host, Vm, Container, Process, Checkpoint };
    Kind kind = Kind::None;
    QString uri, vm, container, checkpoint;
    qint64 vpid = 0;

    bool operator==(const Selection&) const = default;
};

} // namespace pidvisor::gui
