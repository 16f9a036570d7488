// DialogRequests: what each dialog hands back when accepted, as plain
// values. The actions turn them into operations; tests build them directly.
#pragma once

#include "images/DebianImage.h"
#include "vm/ContainerService.h"
#include "vm/VmService.h"

#include "protocol/Types.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>

namespace pidvisor::gui {

// A VM to pick in a dialog: its host and name.
struct VmChoice {
    QString uri, name;
    [[nodiscard]] QString label() const { return name + "  (" + uri + ")"; }
    bool operator==(const VmChoice&) const = default;
};

// An image archive to import; `name` empty: the archive's own.
struct ImageImportRequest {
    QString file, name;
};

// A container image built from Debian packages (pidvisor image create):
// the manager's request itself, checked and run as it is.
using ImageCreateRequest = manager::DebianImageRequest;

struct NewVmRequest {
    QString uri;
    manager::VmCreateOptions options;
};

struct NewContainerRequest {
    QString uri, vm;
    protocol::ContainerSpec spec; // container-create's arguments (argv: the command given, maybe none)
    QString image;                // a container image's name; empty: the VM's own files
    manager::NetworkChoice network; // an address on the VM's network (the next free one, or given), or loopback only
};

struct CheckpointRequest {
    bool leaveRunning = true;
    QString tag;
};

struct RestoreRequest {
    VmChoice target;
    QString newName; // empty: the checkpoint's container name
};

struct MigrateRequest {
    VmChoice target;
    bool live = false;
};

// An exec: the dialog calls `run` with the command; `done` gets the
// command result (PROTOCOL.md) or an error message.
struct ExecOutcome {
    bool ok = false;
    nlohmann::json result;
    QString error;
};
using ExecRunner = std::function<void(const QStringList& argv, std::function<void(const ExecOutcome&)> done)>;

struct AboutInfo {
    QString pidvisor, qt, protocol;
    QStringList hosts; // "qemu:///system: libvirt 9.0.0, QEMU 7.2.0"
    QStringList agents; // "vm1: agent 0.1.0, kernel 6.12.x"
};

} // namespace pidvisor::gui
