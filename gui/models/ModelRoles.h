// ModelRoles: the columns and custom data roles of the GUI's item models,
// shared by the models, the views that read them and the tests.
#pragma once

#include <Qt>

namespace pidvisor::gui {

enum class NodeKind { Root, Host, Vm, Container, Process };

namespace InventoryColumn {
enum : int { Name, State, Accel, Kernel, Memory, BootToReady, Vpid, Pid, Parent, Address, Mac, Command, Count };
}

namespace CheckpointColumn {
enum : int { Created, Container, Vm, Tag, Size, Duration, Status, Kernel, Criu, Id, Count };
}

namespace ImageColumn {
enum : int { Name, Digest, Size, Volume, Created, Source, Count };
}

namespace OperationColumn {
enum : int { What, Target, Progress, Elapsed, Result, Count };
}

enum Role : int {
    KindRole = Qt::UserRole + 1, // NodeKind as int
    SortRole,                    // numbers for numeric columns
    PathRole,                    // QStringList: uri, vm, container, vpid (as deep as the row)
    HostUriRole,
    VmNameRole,
    ContainerNameRole,
    VpidRole,
    GlobalPidRole,
    CheckpointIdRole,
    OperationIdRole,
    PercentRole,   // operations: -1 unknown, 0-100
    RunningRole,   // operations: still running
};

} // namespace pidvisor::gui
