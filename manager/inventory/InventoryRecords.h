// InventoryRecords: the rows of the manager's inventory as plain structs,
// shared by the CLI, the GUI and the code that fills them from libvirt and
// the guest agents. Times are unix milliseconds. Text that is not known is
// empty; only values that are genuinely absent are std::optional.
#pragma once

#include "core/States.h"
#include "protocol/Types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::manager {

// A libvirt connection the manager has used ("qemu:///system").
struct HostRecord {
    std::int64_t id = 0;
    std::string uri; // unique
    std::string name;
    std::int64_t addedAt = 0;

    bool operator==(const HostRecord&) const = default;
};

// A built guest image; the id is its content hash.
struct ImageRecord {
    std::string id;
    std::string kernelKind = "stock"; // "stock", "container" or "path"
    std::string kernelVersion;
    std::string kernelRelease;
    std::string path; // the image directory
    std::int64_t sizeBytes = 0;
    std::int64_t createdAt = 0;
    std::string manifestJson = "{}";

    bool operator==(const ImageRecord&) const = default;
};

// A container image on this host (ImageService.h): its description, as
// image.json on its volume holds it, and the erofs file made from it.
// The name is unique; so is the digest.
struct ContainerImageRecord {
    std::int64_t id = 0;
    protocol::ImageInfo info;   // name, digest, source, size (its files), config
    std::string volumeFile;     // the erofs file on this host
    std::int64_t volumeBytes = 0;
    std::int64_t createdAt = 0; // unix milliseconds; 0 on insert: now

    bool operator==(const ContainerImageRecord&) const = default;
};

struct VmRecord {
    std::int64_t id = 0;
    std::int64_t hostId = 0; // deleting the host deletes its VMs
    std::string name;        // unique per host
    std::string uuid;
    VmState state = VmState::NoState; // stored as libvirt's words: "running", "shut off", ...
    std::string accel = "kvm"; // "kvm" or "tcg"
    std::string kernel = "stock"; // "stock", "container" or a path
    std::string imageId; // empty: none, or the image was deleted
    std::int64_t memoryMiB = 0;
    int vcpus = 1;
    std::string dataDisk;
    std::string consoleLog;
    std::int64_t createdAt = 0; // 0 on insert: now
    std::optional<std::int64_t> bootToReadyMs;
    // The libvirt domain disappeared behind our back. The row is kept (with
    // its checkpoints' link) until a person decides, never dropped silently.
    bool missing = false;
    std::string agentVersion;
    std::string kernelRelease;
    std::int64_t updatedAt = 0; // set by the inventory on every write

    bool operator==(const VmRecord&) const = default;
};

// A container as the agent in its VM last reported it.
struct ContainerRecord {
    std::int64_t id = 0;
    std::int64_t vmId = 0; // deleting the VM deletes its containers
    std::string name;      // unique per VM
    ContainerState state = ContainerState::Stopped; // stored as the agent's words
    std::int64_t initPid = 0;
    std::string specJson = "{}";
    std::int64_t processCount = 0;
    std::int64_t updatedAt = 0; // set by the inventory on every write

    bool operator==(const ContainerRecord&) const = default;
};

// An address Pidvisor gave a container on a libvirt network: its holder is
// the container (by VM and name) that may use it. Unique per network;
// deleting the VM releases its containers' addresses.
struct AddressRecord {
    std::string network;  // the libvirt network's name
    std::string address;  // "10.84.0.130", without the prefix
    std::string mac;      // "02:70:76:00:00:82"
    std::int64_t vmId = 0;
    std::string container;
    std::int64_t allocatedAt = 0; // 0 on insert: now

    bool operator==(const AddressRecord&) const = default;
};

// One process of a checkpointed container, as CRIU's process tree and the
// agent's process table described it at the dump. Restoring recreates the
// virtual pids exactly; the pid in the VM is only what it was then.
struct CheckpointProcess {
    std::int64_t virtualPid = 0;       // > 0, unique within the checkpoint
    std::int64_t virtualParentPid = 0; // 0: the container's init
    std::int64_t processGroup = 0;
    std::int64_t session = 0;
    std::int64_t threads = 0;
    std::int64_t vmPid = 0; // the pid in the VM at the dump; 0 when not known
    std::string command;    // comm, "" when not known

    bool operator==(const CheckpointProcess&) const = default;
};

// One of CRIU's own statistics for the dump ("frozen_time_us", "pages_written").
struct CriuStat {
    std::string name;
    std::int64_t value = 0;

    bool operator==(const CriuStat&) const = default;
};

// How long the phases of making a checkpoint took, in milliseconds. Unset:
// the phase did not happen (a migration has no total) or was not measured.
struct CheckpointDurations {
    std::optional<std::int64_t> dumpMs;     // CRIU's dump in the VM
    std::optional<std::int64_t> hashMs;     // hashing the images in the VM
    std::optional<std::int64_t> transferMs; // the copy to the host
    std::optional<std::int64_t> totalMs;    // the whole operation, as the user waited
    std::optional<std::int64_t> transferBytes;
    std::vector<CriuStat> criu; // ordered by name

    // totalMs when measured, else the sum of the phases that were; unset
    // when none was.
    [[nodiscard]] std::optional<std::int64_t> total() const
    {
        if (totalMs)
            return totalMs;
        std::optional<std::int64_t> sum;
        for (const auto& phase : {dumpMs, hashMs, transferMs})
            if (phase)
                sum = sum.value_or(0) + *phase;
        return sum;
    }

    bool operator==(const CheckpointDurations&) const = default;
};

struct CheckpointRecord {
    std::string id; // e.g. a uuid; found by any unique prefix
    // Unset when the VM row is deleted: a checkpoint outlives its VM, and
    // vmName/containerName still say where it came from.
    std::optional<std::int64_t> vmId;
    std::string vmName;
    std::string containerName;
    std::string tag;
    std::int64_t createdAt = 0; // 0 on insert: now
    std::string path; // its directory in the host store
    std::int64_t sizeBytes = 0;
    std::string sha256;
    std::vector<CheckpointProcess> processes; // ordered by virtual pid
    std::string kernelRelease;
    std::string criuVersion;
    CheckpointDurations durations;
    std::string status = "complete"; // "complete", "partial", "corrupt", ...

    bool operator==(const CheckpointRecord&) const = default;
};

// One entry of the audit log: what was done to what, and how it ended.
struct OperationRecord {
    std::int64_t id = 0;
    std::string kind;   // "vm.create"
    std::string target; // "demo" or "demo/web"
    std::int64_t startedAt = 0;
    std::optional<std::int64_t> endedAt;
    OperationOutcome result = OperationOutcome::Running; // stored as "running", "ok", "error", "cancelled"
    std::string errorCode;           // errorCodeName() of the failure
    std::string errorMessage;
    std::string detailsJson = "{}";
    std::optional<std::int64_t> ownerPid; // the process that ran it

    bool operator==(const OperationRecord&) const = default;
};

} // namespace pidvisor::manager
