// Types: every record of the agent protocol, declared once, used by the
// agent, the manager, the in-guest CLI and the GUI alike.
//
// Each struct lists its fields (JSON name, member, required or optional,
// check) in fields(); Schema.h turns that into its one JSON conversion and
// validation. Commands.h pairs these types into commands. PROTOCOL.md
// describes them; tests/unit/protocol/ProtocolDocTest.cpp fails when the
// two differ. Adding a field: a member with its default, and one line in
// fields().
#pragma once

#include "Checks.h"
#include "Schema.h"
#include "States.h"

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace pidvisor::protocol {

// ---- Records shared by several commands ---------------------------------

// A container's interface on its VM's network: eth0 in the container's own
// network namespace, a veth pair into the VM's bridge (pvbr0, which holds
// the VM's NIC). The manager allocates the address and the MAC; a
// checkpoint carries them and a restore keeps them. Since 5.
struct ContainerNetwork {
    std::string address;          // with its prefix: "10.84.0.130/24"
    std::string mac;              // "02:70:76:00:00:82"
    std::optional<std::string> gateway; // the default route's next hop
    std::vector<std::string> dns; // written to the container's /etc/resolv.conf
    // The libvirt network the address belongs to (the manager's record; a
    // restore goes only to a VM on the same one).
    std::optional<std::string> libvirtNetwork;

    static constexpr auto fields()
    {
        using S = ContainerNetwork;
        return std::tuple{req("address", &S::address, checkIpv4Interface), req("mac", &S::mac, checkMac),
                          opt("gateway", &S::gateway, checkIpv4), opt("dns", &S::dns, checkDnsServers),
                          opt("libvirt_network", &S::libvirtNetwork, maxBytes<256>)};
    }
    bool operator==(const ContainerNetwork&) const = default;
};

// A container's own user namespace (--userns): its uids and gids 0..size-1
// are the VM's base..base+size-1, so its root is an unprivileged user of the
// VM. Asked for without a base, the agent picks a range no other container
// of the VM has; the record (and a checkpoint) carries the base, and a
// restore maps the same one. Since 7.
struct UserNamespace {
    std::optional<std::int64_t> base;
    std::int64_t size = 65536;

    static constexpr auto fields()
    {
        using S = UserNamespace;
        return std::tuple{opt("base", &S::base, checkUsernsBase), opt("size", &S::size, inRange<65536, 65536>)};
    }
    bool operator==(const UserNamespace&) const = default;
};

// What a container is asked to be (container-create's arguments, and the
// `spec` of every container record and checkpoint manifest).
struct ContainerSpec {
    std::string name;
    std::vector<std::string> argv;
    std::vector<std::string> env; // KEY=VALUE; the agent adds defaults
    std::string cwd = "/";
    std::optional<std::string> hostname; // default: the name
    std::optional<std::int64_t> memoryMiB;
    std::optional<std::int64_t> pidsMax;
    bool init = false;
    bool privileged = false; // every capability, no seccomp filter, no masked paths
    // The image (its digest) whose root filesystem is the overlay's lower
    // layer; none: the VM's own root. Since 4.
    std::optional<std::string> image;
    // The user and group the command runs as (numbers, resolved against the
    // image by whoever read its config); none: root. Since 4.
    std::optional<std::int64_t> uid;
    std::optional<std::int64_t> gid;
    // Its interface on the VM's network; none: loopback only (every
    // container has its own network namespace). Since 5.
    std::optional<ContainerNetwork> network;
    // Its own user namespace; none: its root is the VM's root. Since 7.
    std::optional<UserNamespace> userns;

    static constexpr auto fields()
    {
        using S = ContainerSpec;
        return std::tuple{req("name", &S::name, checkContainerName),
                          req("argv", &S::argv, checkCommand),
                          opt("env", &S::env, checkEnv),
                          opt("cwd", &S::cwd, checkAbsolutePath),
                          opt("hostname", &S::hostname, checkHostname),
                          opt("memory_mib", &S::memoryMiB, inRange<4, 1 << 24>),
                          opt("pids_max", &S::pidsMax, inRange<1, 4194304>),
                          opt("init", &S::init),
                          opt("privileged", &S::privileged),
                          opt("image", &S::image, checkImageDigest),
                          opt("uid", &S::uid, inRange<0, 4294967294>),
                          opt("gid", &S::gid, inRange<0, 4294967294>),
                          opt("network", &S::network),
                          opt("userns", &S::userns)};
    }
    bool operator==(const ContainerSpec&) const = default;
};

// What an image gives the containers made from it unless they say
// otherwise: an OCI image config's Entrypoint, Cmd, Env, WorkingDir and
// User (uid and gid: User resolved against the image's /etc/passwd and
// /etc/group when the image was made).
struct ImageConfig {
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<std::string> env;
    std::string workingDir = "/";
    std::string user;
    std::optional<std::int64_t> uid;
    std::optional<std::int64_t> gid;

    static constexpr auto fields()
    {
        using S = ImageConfig;
        return std::tuple{opt("entrypoint", &S::entrypoint, checkArgvPart),
                          opt("cmd", &S::cmd, checkArgvPart),
                          opt("env", &S::env, checkEnv),
                          opt("working_dir", &S::workingDir, checkAbsolutePath),
                          opt("user", &S::user, maxBytes<256>),
                          opt("uid", &S::uid, inRange<0, 4294967294>),
                          opt("gid", &S::gid, inRange<0, 4294967294>)};
    }
    bool operator==(const ImageConfig&) const = default;
};

// A container image: its root filesystem is addressed by its digest (the
// same input gives the same digest). On a VM's image disk it is image.json
// beside rootfs/; image-list reports the ones a VM has.
struct ImageInfo {
    std::string name;
    std::string digest;  // sha256:<64 hex>
    std::string source;  // "oci-archive FILE", "docker-archive FILE", "debian:13 P1,P2"
    std::int64_t size = 0; // bytes of its files
    ImageConfig config;

    static constexpr auto fields()
    {
        using S = ImageInfo;
        return std::tuple{req("name", &S::name, checkImageName), req("digest", &S::digest, checkImageDigest),
                          opt("source", &S::source, maxBytes<4096>), opt("size", &S::size),
                          opt("config", &S::config)};
    }
    bool operator==(const ImageInfo&) const = default;
};

// One process of a container (container-ps), its virtual and global pids.
struct Process {
    std::int32_t vpid = 0;  // in the container's pid namespace
    std::int32_t pid = 0;   // in the VM (the agent's pid namespace)
    std::int32_t vppid = 0; // parent in the container, 0 when outside it
    std::string comm;
    std::string state;
    std::string cmdline;

    static constexpr auto fields()
    {
        using S = Process;
        return std::tuple{req("vpid", &S::vpid),   req("pid", &S::pid),     opt("vppid", &S::vppid),
                          opt("comm", &S::comm),   opt("state", &S::state), opt("cmdline", &S::cmdline)};
    }
    bool operator==(const Process&) const = default;
};

struct ExitStatus {
    int code = 0;   // 128+signal when killed
    int signal = 0; // 0 when it exited
    static constexpr auto fields()
    {
        return std::tuple{req("code", &ExitStatus::code), opt("signal", &ExitStatus::signal)};
    }
    bool operator==(const ExitStatus&) const = default;
};

// How a container is confined (container-info): what its processes keep.
struct Confinement {
    bool privileged = false;
    std::vector<std::string> capabilities; // CAP_* names, or "ALL"
    std::string seccomp;                   // default, none
    bool noNewPrivs = false;
    std::vector<std::string> maskedPaths;
    std::vector<std::string> readOnlyPaths;
    // Which devices its processes may open, as the kernel says now (running
    // containers only; since 6): "default" (an eBPF device filter on its
    // cgroup allows the OCI default set), "all" (privileged), "unfiltered"
    // (no filter: the VM has no cgroup v2 device control).
    std::optional<std::string> devices;
    // Its user namespace, as the kernel has it now (running containers; since
    // 7): the VM uid its root is ("0 BASE SIZE" of its uid_map). None: the
    // VM's root.
    std::optional<UserNamespace> userns;

    static constexpr auto fields()
    {
        using S = Confinement;
        return std::tuple{req("privileged", &S::privileged),       opt("capabilities", &S::capabilities),
                          opt("seccomp", &S::seccomp),             opt("no_new_privs", &S::noNewPrivs),
                          opt("masked_paths", &S::maskedPaths),    opt("read_only_paths", &S::readOnlyPaths),
                          opt("devices", &S::devices),             opt("userns", &S::userns)};
    }
    bool operator==(const Confinement&) const = default;
};

// A container as the agent reports it (create, info, list, stop).
struct ContainerInfo {
    std::string name;
    ContainerState state = ContainerState::Stopped; // running or stopped, never creating
    std::int32_t initPid = 0;
    std::uint64_t pidnsInode = 0;
    std::string pidSpace; // clone3, proc-container
    std::string cgroup;
    std::int64_t createdAt = 0; // unix milliseconds
    ContainerSpec spec;
    std::optional<std::int64_t> finishedAt;
    std::optional<ExitStatus> exit; // null while running or when unknown
    std::optional<std::string> checkpointedAs;
    std::optional<std::string> restoredFrom;
    std::optional<std::int64_t> processes; // container-info of a running container only
    std::optional<Confinement> confinement;
    // Where its files live: "disk" (they survive a VM restart) or "memory"
    // (the VM has no data disk). Since 4.
    std::optional<std::string> storage;
    // Its address on the VM's network (spec.network's, without the
    // prefix) and MAC; none: loopback only. Since 5.
    std::optional<std::string> address;
    std::optional<std::string> mac;

    static constexpr auto fields()
    {
        using S = ContainerInfo;
        return std::tuple{req("name", &S::name),
                          req("state", &S::state),
                          opt("init_pid", &S::initPid),
                          opt("pidns_inode", &S::pidnsInode),
                          opt("pid_space", &S::pidSpace),
                          opt("cgroup", &S::cgroup),
                          opt("created_at", &S::createdAt),
                          req("spec", &S::spec),
                          opt("finished_at", &S::finishedAt),
                          opt("exit", &S::exit),
                          opt("checkpointed_as", &S::checkpointedAs),
                          opt("restored_from", &S::restoredFrom),
                          opt("processes", &S::processes),
                          opt("confinement", &S::confinement),
                          opt("storage", &S::storage),
                          opt("address", &S::address), opt("mac", &S::mac)};
    }
    bool operator==(const ContainerInfo&) const = default;
};

// What a command run by guest-exec or container-exec did.
struct CommandResult {
    int exitCode = 0;
    int signal = 0;
    std::string stdoutText;
    std::string stderrText;
    bool stdoutTruncated = false;
    bool stderrTruncated = false;
    bool timedOut = false;

    static constexpr auto fields()
    {
        using S = CommandResult;
        return std::tuple{req("exit_code", &S::exitCode),
                          opt("signal", &S::signal),
                          opt("stdout", &S::stdoutText),
                          opt("stderr", &S::stderrText),
                          opt("stdout_truncated", &S::stdoutTruncated),
                          opt("stderr_truncated", &S::stderrTruncated),
                          opt("timed_out", &S::timedOut)};
    }
    bool operator==(const CommandResult&) const = default;
};

// A signal: a number 1-64 on the wire; a name ("TERM", "SIGKILL") is
// accepted too.
struct Signal {
    int number = 9;
    bool operator==(const Signal&) const = default;
};

template <>
struct Codec<Signal> {
    static Result<Signal> decode(const nlohmann::json& j, Unknown, std::string_view prefix, std::string_view path)
    {
        if (j.is_number_integer()) {
            if (!j.is_number_unsigned() && j.get<std::int64_t>() < 0)
                return fail(ErrorCode::InvalidArgument, "signal " + std::to_string(j.get<std::int64_t>()) +
                                                            " is out of range");
            if (j.get<std::uint64_t>() > 1000)
                return fail(ErrorCode::InvalidArgument, "signal " + std::to_string(j.get<std::uint64_t>()) +
                                                            " is out of range");
            int n = j.get<int>();
            PV_TRY_STATUS(checkSignal("signal", n));
            return Signal{n};
        }
        if (!j.is_string())
            return fail(ErrorCode::InvalidArgument, detail::fieldName(prefix, path) + " must be a number or a name");
        PV_TRY(int n, signalFromText(j.get<std::string>()));
        return Signal{n};
    }
    static nlohmann::json encode(const Signal& s) { return s.number; }
};

// ---- hello and sync -------------------------------------------------------

struct HelloArgs {
    std::string client;
    std::int64_t protocol = 0; // the client's kProtocolVersion
    static constexpr auto fields()
    {
        return std::tuple{opt("client", &HelloArgs::client, maxBytes<kMaxClientName>),
                          req("protocol", &HelloArgs::protocol)};
    }
    bool operator==(const HelloArgs&) const = default;
};

struct CgroupSupport {
    std::string mode; // v2, hybrid, v1, none
    bool usable = false;
    std::vector<std::string> controllers;
    static constexpr auto fields()
    {
        using S = CgroupSupport;
        return std::tuple{req("mode", &S::mode), opt("usable", &S::usable), opt("controllers", &S::controllers)};
    }
    bool operator==(const CgroupSupport&) const = default;
};

struct CriuSupport {
    std::string version;
    static constexpr auto fields() { return std::tuple{req("version", &CriuSupport::version)}; }
    bool operator==(const CriuSupport&) const = default;
};

struct CheckpointSupport {
    std::optional<bool> available; // null while `criu check` still runs
    std::string reason;
    static constexpr auto fields()
    {
        return std::tuple{opt("available", &CheckpointSupport::available), opt("reason", &CheckpointSupport::reason)};
    }
    bool operator==(const CheckpointSupport&) const = default;
};

struct Capabilities {
    bool procContainer = false;
    std::string pidSpace;
    CgroupSupport cgroups;
    std::optional<CriuSupport> criu; // null: CRIU is not installed
    CheckpointSupport checkpoint;
    static constexpr auto fields()
    {
        using S = Capabilities;
        return std::tuple{opt("proc_container", &S::procContainer), opt("pid_space", &S::pidSpace),
                          opt("cgroups", &S::cgroups),              opt("criu", &S::criu),
                          opt("checkpoint", &S::checkpoint)};
    }
    bool operator==(const Capabilities&) const = default;
};

// What the agent lets one peer make it hold (PROTOCOL.md, "Limits").
struct AgentLimits {
    std::int64_t maxConnections = 0;
    std::int64_t maxInFlightPerConnection = 0;
    std::int64_t maxInFlightTotal = 0;
    std::int64_t maxBufferedBytesPerConnection = 0;
    std::int64_t maxBufferedBytesTotal = 0;
    std::int64_t uncountedBytesPerConnection = 0;
    std::int64_t frameDeadlineMs = 0;
    std::int64_t maxHeaderBytes = 0;
    std::int64_t maxPayloadBytes = 0;
    std::int64_t maxJsonDepth = 0;
    std::int64_t maxJsonValues = 0;
    static constexpr auto fields()
    {
        using S = AgentLimits;
        return std::tuple{opt("max_connections", &S::maxConnections),
                          opt("max_in_flight_per_connection", &S::maxInFlightPerConnection),
                          opt("max_in_flight_total", &S::maxInFlightTotal),
                          opt("max_buffered_bytes_per_connection", &S::maxBufferedBytesPerConnection),
                          opt("max_buffered_bytes_total", &S::maxBufferedBytesTotal),
                          opt("uncounted_bytes_per_connection", &S::uncountedBytesPerConnection),
                          opt("frame_deadline_ms", &S::frameDeadlineMs),
                          opt("max_header_bytes", &S::maxHeaderBytes),
                          opt("max_payload_bytes", &S::maxPayloadBytes),
                          opt("max_json_depth", &S::maxJsonDepth),
                          opt("max_json_values", &S::maxJsonValues)};
    }
    bool operator==(const AgentLimits&) const = default;
};

struct HelloResult {
    std::int64_t protocol = 0;
    std::string instance; // changes when the agent restarts
    std::string agentVersion;
    std::string kernelRelease;
    std::string hostname;
    std::vector<std::string> commands;
    Capabilities capabilities;
    std::optional<AgentLimits> limits; // null from agents before the limits existed
    static constexpr auto fields()
    {
        using S = HelloResult;
        return std::tuple{req("protocol", &S::protocol),       opt("instance", &S::instance),
                          opt("agent_version", &S::agentVersion), opt("kernel_release", &S::kernelRelease),
                          opt("hostname", &S::hostname),       opt("commands", &S::commands),
                          opt("capabilities", &S::capabilities), opt("limits", &S::limits)};
    }
    bool operator==(const HelloResult&) const = default;
};

struct SyncArgs {
    std::string nonce;
    static constexpr auto fields() { return std::tuple{req("nonce", &SyncArgs::nonce, maxBytes<kMaxNonce>)}; }
    bool operator==(const SyncArgs&) const = default;
};

struct SyncResult {
    std::string nonce;
    std::string instance;
    static constexpr auto fields()
    {
        return std::tuple{req("nonce", &SyncResult::nonce), opt("instance", &SyncResult::instance)};
    }
    bool operator==(const SyncResult&) const = default;
};

// ---- running commands -------------------------------------------------------

struct GuestExecArgs {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd = "/";
    std::string stdinText;
    std::optional<std::int64_t> timeoutMs; // none: no limit
    static constexpr auto fields()
    {
        using S = GuestExecArgs;
        return std::tuple{req("argv", &S::argv, checkCommand),  opt("env", &S::env, checkEnv),
                          opt("cwd", &S::cwd, checkAbsolutePath), opt("stdin", &S::stdinText, maxBytes<kMaxStdin>),
                          opt("timeout_ms", &S::timeoutMs, inRange<1, kMaxTimeoutMs>)};
    }
    bool operator==(const GuestExecArgs&) const = default;
};

// container-exec: a container's name plus what guest-exec takes.
struct ContainerExecArgs : GuestExecArgs {
    std::string name;
    static constexpr auto fields()
    {
        return std::tuple_cat(std::tuple{req("name", &ContainerExecArgs::name, checkContainerName)},
                              GuestExecArgs::fields());
    }
    bool operator==(const ContainerExecArgs&) const = default;
};

// ---- containers ---------------------------------------------------------------

using ContainerCreateArgs = ContainerSpec;

struct NoArgs {
    static constexpr auto fields() { return std::tuple<>{}; }
    bool operator==(const NoArgs&) const = default;
};

// A command about one container: info, ps, resume.
struct ContainerRef {
    std::string name;
    static constexpr auto fields() { return std::tuple{req("name", &ContainerRef::name, checkContainerName)}; }
    bool operator==(const ContainerRef&) const = default;
};

struct ContainerListResult {
    std::vector<ContainerInfo> containers;
    static constexpr auto fields() { return std::tuple{req("containers", &ContainerListResult::containers)}; }
    bool operator==(const ContainerListResult&) const = default;
};

// network-probe: whether a machine on the VM's network answers for an
// address (an RFC 5227 ARP probe from the VM's bridge). Since 6.
struct NetworkProbeArgs {
    std::string address;                // dotted quad, no prefix
    std::optional<std::string> gateway; // heard first: until it answers, silence proves nothing
    static constexpr auto fields()
    {
        return std::tuple{req("address", &NetworkProbeArgs::address, checkIpv4),
                          opt("gateway", &NetworkProbeArgs::gateway, checkIpv4)};
    }
    bool operator==(const NetworkProbeArgs&) const = default;
};

struct NetworkProbeResult {
    std::string address;
    bool inUse = false;
    std::optional<std::string> mac; // who answered, when one did
    std::int64_t waitedMs = 0;
    static constexpr auto fields()
    {
        using S = NetworkProbeResult;
        return std::tuple{req("address", &S::address), req("in_use", &S::inUse), opt("mac", &S::mac),
                          opt("waited_ms", &S::waitedMs)};
    }
    bool operator==(const NetworkProbeResult&) const = default;
};

// image-list: the images on this VM's image disks, mounted.
struct ImageListResult {
    std::vector<ImageInfo> images;
    static constexpr auto fields() { return std::tuple{req("images", &ImageListResult::images)}; }
    bool operator==(const ImageListResult&) const = default;
};

struct ContainerPsResult {
    std::string name;
    std::vector<Process> processes; // sorted by vpid; empty when stopped
    static constexpr auto fields()
    {
        return std::tuple{req("name", &ContainerPsResult::name), req("processes", &ContainerPsResult::processes)};
    }
    bool operator==(const ContainerPsResult&) const = default;
};

struct ContainerLogsArgs {
    std::string name;
    std::optional<std::int64_t> tailBytes; // none: all, up to kMaxLogBytes
    static constexpr auto fields()
    {
        return std::tuple{req("name", &ContainerLogsArgs::name, checkContainerName),
                          opt("tail_bytes", &ContainerLogsArgs::tailBytes, inRange<0, kMaxLogBytes>)};
    }
    bool operator==(const ContainerLogsArgs&) const = default;
};

// The log's bytes travel as the response's payload, not in JSON.
struct ContainerLogsResult {
    std::string name;
    std::uint64_t size = 0;
    std::string payload;
    static constexpr auto fields()
    {
        return std::tuple{req("name", &ContainerLogsResult::name), req("size", &ContainerLogsResult::size)};
    }
    bool operator==(const ContainerLogsResult&) const = default;
};

struct ContainerKillArgs {
    std::string name;
    Signal signal; // default KILL
    bool all = false;
    static constexpr auto fields()
    {
        using S = ContainerKillArgs;
        return std::tuple{req("name", &S::name, checkContainerName), opt("signal", &S::signal), opt("all", &S::all)};
    }
    bool operator==(const ContainerKillArgs&) const = default;
};

struct ContainerKillResult {
    std::string name;
    int signal = 0;
    std::int64_t signalled = 0;
    static constexpr auto fields()
    {
        using S = ContainerKillResult;
        return std::tuple{req("name", &S::name), req("signal", &S::signal), req("signalled", &S::signalled)};
    }
    bool operator==(const ContainerKillResult&) const = default;
};

struct ContainerStopArgs {
    std::string name;
    std::int64_t timeoutMs = 10000; // grace between TERM and KILL
    static constexpr auto fields()
    {
        return std::tuple{req("name", &ContainerStopArgs::name, checkContainerName),
                          opt("timeout_ms", &ContainerStopArgs::timeoutMs, inRange<0, kMaxTimeoutMs>)};
    }
    bool operator==(const ContainerStopArgs&) const = default;
};

struct ContainerRmArgs {
    std::string name;
    bool force = false; // kill it first when running
    static constexpr auto fields()
    {
        return std::tuple{req("name", &ContainerRmArgs::name, checkContainerName),
                          opt("force", &ContainerRmArgs::force)};
    }
    bool operator==(const ContainerRmArgs&) const = default;
};

struct ContainerRmResult {
    std::string name;
    bool removed = false;
    static constexpr auto fields()
    {
        return std::tuple{req("name", &ContainerRmResult::name), req("removed", &ContainerRmResult::removed)};
    }
    bool operator==(const ContainerRmResult&) const = default;
};

struct ContainerResumeResult {
    std::string name;
    bool resumed = false;
    static constexpr auto fields()
    {
        return std::tuple{req("name", &ContainerResumeResult::name),
                          req("resumed", &ContainerResumeResult::resumed)};
    }
    bool operator==(const ContainerResumeResult&) const = default;
};

// ---- checkpoints ----------------------------------------------------------------

// A checkpoint's manifest.json: protocol/CheckpointFiles.h reads its file
// list; the rest is kept as the agent wrote it.
using CheckpointManifest = nlohmann::json;

struct ContainerCheckpointArgs {
    std::string name;
    std::optional<std::string> id; // none: a new one
    std::string kind = "dump";     // dump, pre-dump
    std::int64_t round = 1;        // pre-dump round: images in pre-ROUND/
    std::string parent;            // pre-N: the previous round
    std::string after = "kill";    // kill, run, stop
    std::string tag;
    static constexpr auto fields()
    {
        using S = ContainerCheckpointArgs;
        return std::tuple{req("name", &S::name, checkContainerName), opt("id", &S::id, checkCheckpointId),
                          opt("kind", &S::kind, checkCheckpointKind), opt("round", &S::round, inRange<1, 100>),
                          opt("parent", &S::parent, checkPreDumpParent), opt("after", &S::after, checkCheckpointAfter),
                          opt("tag", &S::tag, maxBytes<kMaxTag>)};
    }
    static Status validate(const ContainerCheckpointArgs& a)
    {
        if (a.kind == "pre-dump" && !a.id)
            return fail(ErrorCode::InvalidArgument, "a pre-dump needs the checkpoint id of its migration");
        return {};
    }
    bool operator==(const ContainerCheckpointArgs&) const = default;
};

struct ContainerRestoreArgs {
    std::string id;
    std::optional<std::string> name; // none: the checkpointed container's
    // Restore its TCP connections closed (a clone, or a peer that is gone)
    // instead of established. Since 5.
    bool tcpClose = false;
    static constexpr auto fields()
    {
        return std::tuple{req("id", &ContainerRestoreArgs::id, checkCheckpointId),
                          opt("name", &ContainerRestoreArgs::name, checkContainerName),
                          opt("tcp_close", &ContainerRestoreArgs::tcpClose)};
    }
    bool operator==(const ContainerRestoreArgs&) const = default;
};

struct RestoreDurations {
    std::int64_t verify = 0;
    std::int64_t unpack = 0;
    std::int64_t criuRestore = 0;
    static constexpr auto fields()
    {
        using S = RestoreDurations;
        return std::tuple{opt("verify", &S::verify), opt("unpack", &S::unpack), opt("criu_restore", &S::criuRestore)};
    }
    bool operator==(const RestoreDurations&) const = default;
};

// The restored container, and how the restore was checked.
struct ContainerRestoreResult : ContainerInfo {
    std::string pidCheck;
    RestoreDurations durationsMs;
    std::string verified;
    static constexpr auto fields()
    {
        using S = ContainerRestoreResult;
        return std::tuple_cat(ContainerInfo::fields(),
                              std::tuple{opt("pid_check", &S::pidCheck), opt("durations_ms", &S::durationsMs),
                                         opt("verified", &S::verified)});
    }
    bool operator==(const ContainerRestoreResult&) const = default;
};

// A command about one checkpoint: commit, delete.
struct CheckpointRef {
    std::string id;
    static constexpr auto fields() { return std::tuple{req("id", &CheckpointRef::id, checkCheckpointId)}; }
    bool operator==(const CheckpointRef&) const = default;
};

struct CheckpointSummary {
    std::string id;
    bool complete = false;
    std::optional<std::string> container;
    std::optional<std::int64_t> createdAt;
    std::optional<std::uint64_t> size;
    std::optional<std::string> sha256;
    static constexpr auto fields()
    {
        using S = CheckpointSummary;
        return std::tuple{req("id", &S::id),         opt("complete", &S::complete), opt("container", &S::container),
                          opt("created_at", &S::createdAt), opt("size", &S::size),  opt("sha256", &S::sha256)};
    }
    bool operator==(const CheckpointSummary&) const = default;
};

struct CheckpointListResult {
    std::vector<CheckpointSummary> checkpoints;
    static constexpr auto fields() { return std::tuple{req("checkpoints", &CheckpointListResult::checkpoints)}; }
    bool operator==(const CheckpointListResult&) const = default;
};

struct CheckpointReadArgs {
    std::string id;
    std::vector<std::string> paths; // empty: every file of the manifest
    static constexpr auto fields()
    {
        return std::tuple{req("id", &CheckpointReadArgs::id, checkCheckpointId),
                          opt("paths", &CheckpointReadArgs::paths, checkCheckpointPaths)};
    }
    bool operator==(const CheckpointReadArgs&) const = default;
};

struct CheckpointReadResult {
    std::string id;
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    CheckpointManifest manifest = nlohmann::json::object();
    static constexpr auto fields()
    {
        using S = CheckpointReadResult;
        return std::tuple{req("id", &S::id), opt("files", &S::files), opt("bytes", &S::bytes),
                          opt("manifest", &S::manifest)};
    }
    bool operator==(const CheckpointReadResult&) const = default;
};

struct CheckpointWriteArgs {
    std::string id;
    CheckpointManifest manifest = nlohmann::json::object();
    std::vector<std::string> files; // empty: every file of the manifest
    bool final = true;
    static constexpr auto fields()
    {
        using S = CheckpointWriteArgs;
        return std::tuple{req("id", &S::id, checkCheckpointId), req("manifest", &S::manifest),
                          opt("files", &S::files, checkCheckpointPaths), opt("final", &S::final)};
    }
    bool operator==(const CheckpointWriteArgs&) const = default;
};

struct CheckpointWriteResult {
    std::string id;
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    bool complete = false;
    static constexpr auto fields()
    {
        using S = CheckpointWriteResult;
        return std::tuple{req("id", &S::id), opt("files", &S::files), opt("bytes", &S::bytes),
                          opt("complete", &S::complete)};
    }
    bool operator==(const CheckpointWriteResult&) const = default;
};

struct CheckpointCommitResult {
    std::string id;
    std::string container;
    CheckpointState state = CheckpointState::Checkpointed;
    static constexpr auto fields()
    {
        using S = CheckpointCommitResult;
        return std::tuple{req("id", &S::id), opt("container", &S::container), opt("state", &S::state)};
    }
    bool operator==(const CheckpointCommitResult&) const = default;
};

struct CheckpointDeleteResult {
    std::string id;
    bool removed = false;
    static constexpr auto fields()
    {
        return std::tuple{req("id", &CheckpointDeleteResult::id), req("removed", &CheckpointDeleteResult::removed)};
    }
    bool operator==(const CheckpointDeleteResult&) const = default;
};

} // namespace pidvisor::protocol
