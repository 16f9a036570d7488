#include "Migrations.h"

namespace pidvisor::manager {

namespace {

// Conventions: times are unix milliseconds; text that is "unknown" is ''
// rather than NULL, so only genuinely optional values (a reference that may
// dangle, a duration not measured yet) are nullable. JSON columns are
// checked with json_valid so a bad writer fails loudly, not its readers.
// The SQL is constant-initialised; the step list is built on first use, so
// there is no static initialisation order to get wrong.

// --- version 1: hosts, images, vms, operations
constexpr std::string_view kCreateHosts = R"sql(CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    added_at INTEGER NOT NULL))sql";

constexpr std::string_view kCreateImages = R"sql(CREATE TABLE images (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    kernel_kind TEXT NOT NULL CHECK (kernel_kind IN ('stock', 'container', 'path')),
    kernel_version TEXT NOT NULL DEFAULT '',
    kernel_release TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    manifest_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(manifest_json))))sql";

constexpr std::string_view kCreateVms = R"sql(CREATE TABLE vms (
    id INTEGER PRIMARY KEY,
    host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (name <> ''),
    uuid TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    accel TEXT NOT NULL CHECK (accel IN ('kvm', 'tcg')),
    kernel TEXT NOT NULL,
    image_id TEXT REFERENCES images(id) ON DELETE SET NULL,
    memory_mib INTEGER NOT NULL,
    vcpus INTEGER NOT NULL,
    data_disk TEXT NOT NULL DEFAULT '',
    console_log TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    boot_to_ready_ms INTEGER,
    missing INTEGER NOT NULL DEFAULT 0 CHECK (missing IN (0, 1)),
    agent_version TEXT NOT NULL DEFAULT '',
    kernel_release TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    UNIQUE (host_id, name)))sql";

// Deleting an image sets vms.image_id to NULL: without this index that is
// a scan of every VM.
constexpr std::string_view kIndexVmsImage = "CREATE INDEX vms_image_id ON vms(image_id)";

// owner_pid/owner_token identify the process running an operation, so a
// "running" row whose process is gone can be told apart from one that
// another live process (the GUI) is still running.
constexpr std::string_view kCreateOperations = R"sql(CREATE TABLE operations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind <> ''),
    target TEXT NOT NULL DEFAULT '',
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    result TEXT NOT NULL DEFAULT 'running' CHECK (result IN ('running', 'ok', 'error', 'cancelled')),
    error_code TEXT NOT NULL DEFAULT '',
    error_message TEXT NOT NULL DEFAULT '',
    details_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details_json)),
    owner_pid INTEGER,
    owner_token TEXT NOT NULL DEFAULT ''))sql";

constexpr std::string_view kIndexOperationsStarted = "CREATE INDEX operations_started_at ON operations(started_at)";
constexpr std::string_view kIndexOperationsRunning =
    "CREATE INDEX operations_running ON operations(result) WHERE result = 'running'";

// --- version 2: containers
// Keyed by name within their VM, as the agent knows them; the row id is
// only stable while the container exists. UNIQUE (vm_id, name) also serves
// as the index for the cascade from vms.
constexpr std::string_view kCreateContainers = R"sql(CREATE TABLE containers (
    id INTEGER PRIMARY KEY,
    vm_id INTEGER NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (name <> ''),
    state TEXT NOT NULL DEFAULT '',
    init_pid INTEGER NOT NULL DEFAULT 0,
    spec_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(spec_json)),
    process_count INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    UNIQUE (vm_id, name)))sql";

// --- version 3: checkpoints
// A checkpoint outlives its VM and its container (it can be restored into
// a new one), so it keeps their names as text and only a nullable link to
// the VM row; it does not point at containers rows, which replaceContainers
// drops whenever the agent stops reporting a container.
constexpr std::string_view kCreateCheckpoints = R"sql(CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    vm_id INTEGER REFERENCES vms(id) ON DELETE SET NULL,
    vm_name TEXT NOT NULL,
    container_name TEXT NOT NULL,
    tag TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    pid_map_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(pid_map_json)),
    kernel_release TEXT NOT NULL DEFAULT '',
    criu_version TEXT NOT NULL DEFAULT '',
    durations_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(durations_json)),
    status TEXT NOT NULL CHECK (status <> '')))sql";

constexpr std::string_view kIndexCheckpointsVm = "CREATE INDEX checkpoints_vm_id ON checkpoints(vm_id)";
constexpr std::string_view kIndexCheckpointsCreated = "CREATE INDEX checkpoints_created_at ON checkpoints(created_at)";

// --- version 4: typed checkpoint manifests
// Version 3 kept the pid map and the durations as JSON text, which every
// reader parsed again (the GUI on every paint), and defaulted both to '{}'
// where writers put an array. Each process is now a row and each duration
// a column; what cannot be read is dropped, never guessed at.
//
// The pid map came in two shapes: the agent's array of objects
// ({"vpid":1,"vppid":0,"pgid":1,"sid":1,"threads":1,"pid":4242,"comm":"sh"})
// and an object of virtual pid -> pid ({"1":4242}); '{}' holds nothing.
constexpr std::string_view kCreateCheckpointPids = R"sql(CREATE TABLE checkpoint_pids (
    checkpoint_id TEXT NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE ON UPDATE CASCADE,
    virtual_pid INTEGER NOT NULL CHECK (virtual_pid > 0),
    virtual_ppid INTEGER NOT NULL DEFAULT 0 CHECK (virtual_ppid >= 0),
    pgid INTEGER NOT NULL DEFAULT 0 CHECK (pgid >= 0),
    sid INTEGER NOT NULL DEFAULT 0 CHECK (sid >= 0),
    threads INTEGER NOT NULL DEFAULT 0 CHECK (threads >= 0),
    vm_pid INTEGER NOT NULL DEFAULT 0 CHECK (vm_pid >= 0),
    command TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (checkpoint_id, virtual_pid)) WITHOUT ROWID)sql";

constexpr std::string_view kCopyArrayPids = R"sql(INSERT OR IGNORE INTO checkpoint_pids
    (checkpoint_id, virtual_pid, virtual_ppid, pgid, sid, threads, vm_pid, command)
    SELECT c.id, json_extract(e.value, '$.vpid'),
           CASE json_type(e.value, '$.vppid') WHEN 'integer' THEN max(json_extract(e.value, '$.vppid'), 0) ELSE 0 END,
           CASE json_type(e.value, '$.pgid') WHEN 'integer' THEN max(json_extract(e.value, '$.pgid'), 0) ELSE 0 END,
           CASE json_type(e.value, '$.sid') WHEN 'integer' THEN max(json_extract(e.value, '$.sid'), 0) ELSE 0 END,
           CASE json_type(e.value, '$.threads') WHEN 'integer' THEN max(json_extract(e.value, '$.threads'), 0) ELSE 0 END,
           CASE json_type(e.value, '$.pid') WHEN 'integer' THEN max(json_extract(e.value, '$.pid'), 0) ELSE 0 END,
           CASE json_type(e.value, '$.comm') WHEN 'text' THEN json_extract(e.value, '$.comm') ELSE '' END
    FROM checkpoints AS c, json_each(c.pid_map_json) AS e
    WHERE json_type(c.pid_map_json) = 'array' AND e.type = 'object'
      AND json_type(e.value, '$.vpid') = 'integer' AND json_extract(e.value, '$.vpid') > 0)sql";

constexpr std::string_view kCopyObjectPids = R"sql(INSERT OR IGNORE INTO checkpoint_pids
    (checkpoint_id, virtual_pid, vm_pid)
    SELECT c.id, CAST(e.key AS INTEGER), CASE WHEN e.type = 'integer' AND e.value > 0 THEN e.value ELSE 0 END
    FROM checkpoints AS c, json_each(c.pid_map_json) AS e
    WHERE json_type(c.pid_map_json) = 'object' AND e.key GLOB '[1-9]*' AND NOT e.key GLOB '*[^0-9]*'
      AND length(e.key) <= 18)sql";

// The agent wrote "dump" and "hash", the manager "transfer_ms", "total_ms"
// and "transfer_bytes"; some writers spelled the agent's with "_ms".
constexpr std::string_view kAddDumpMs = "ALTER TABLE checkpoints ADD COLUMN dump_ms INTEGER CHECK (dump_ms >= 0)";
constexpr std::string_view kAddHashMs = "ALTER TABLE checkpoints ADD COLUMN hash_ms INTEGER CHECK (hash_ms >= 0)";
constexpr std::string_view kAddTransferMs =
    "ALTER TABLE checkpoints ADD COLUMN transfer_ms INTEGER CHECK (transfer_ms >= 0)";
constexpr std::string_view kAddTotalMs = "ALTER TABLE checkpoints ADD COLUMN total_ms INTEGER CHECK (total_ms >= 0)";
constexpr std::string_view kAddTransferBytes =
    "ALTER TABLE checkpoints ADD COLUMN transfer_bytes INTEGER CHECK (transfer_bytes >= 0)";

// A negative number never was a duration: it reads as unmeasured.
constexpr std::string_view kCopyDurations = R"sql(UPDATE checkpoints SET
    dump_ms = coalesce(CASE WHEN json_type(durations_json, '$.dump') IN ('integer', 'real') AND json_extract(durations_json, '$.dump') >= 0
                 THEN CAST(json_extract(durations_json, '$.dump') AS INTEGER) END,
        CASE WHEN json_type(durations_json, '$.dump_ms') IN ('integer', 'real') AND json_extract(durations_json, '$.dump_ms') >= 0
                 THEN CAST(json_extract(durations_json, '$.dump_ms') AS INTEGER) END),
    hash_ms = coalesce(CASE WHEN json_type(durations_json, '$.hash') IN ('integer', 'real') AND json_extract(durations_json, '$.hash') >= 0
                 THEN CAST(json_extract(durations_json, '$.hash') AS INTEGER) END,
        CASE WHEN json_type(durations_json, '$.hash_ms') IN ('integer', 'real') AND json_extract(durations_json, '$.hash_ms') >= 0
                 THEN CAST(json_extract(durations_json, '$.hash_ms') AS INTEGER) END),
    transfer_ms = CASE WHEN json_type(durations_json, '$.transfer_ms') IN ('integer', 'real') AND json_extract(durations_json, '$.transfer_ms') >= 0
                 THEN CAST(json_extract(durations_json, '$.transfer_ms') AS INTEGER) END,
    total_ms = CASE WHEN json_type(durations_json, '$.total_ms') IN ('integer', 'real') AND json_extract(durations_json, '$.total_ms') >= 0
                 THEN CAST(json_extract(durations_json, '$.total_ms') AS INTEGER) END,
    transfer_bytes = CASE WHEN json_type(durations_json, '$.transfer_bytes') IN ('integer', 'real') AND json_extract(durations_json, '$.transfer_bytes') >= 0
                 THEN CAST(json_extract(durations_json, '$.transfer_bytes') AS INTEGER) END)sql";

constexpr std::string_view kCreateCriuStats = R"sql(CREATE TABLE checkpoint_criu_stats (
    checkpoint_id TEXT NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE ON UPDATE CASCADE,
    name TEXT NOT NULL CHECK (name <> ''),
    value INTEGER NOT NULL,
    PRIMARY KEY (checkpoint_id, name)) WITHOUT ROWID)sql";

constexpr std::string_view kCopyCriuStats = R"sql(INSERT OR IGNORE INTO checkpoint_criu_stats (checkpoint_id, name, value)
    SELECT c.id, e.key, e.value
    FROM checkpoints AS c, json_each(c.durations_json, '$.criu') AS e
    WHERE json_type(c.durations_json) = 'object' AND json_type(c.durations_json, '$.criu') = 'object'
      AND e.type = 'integer' AND e.key <> '')sql";

constexpr std::string_view kDropPidMapJson = "ALTER TABLE checkpoints DROP COLUMN pid_map_json";
constexpr std::string_view kDropDurationsJson = "ALTER TABLE checkpoints DROP COLUMN durations_json";

// --- version 5: container images
// The host's container images (not the guest images of `images`): one row
// per digest, found by name or digest. config_json is the image's
// protocol::ImageConfig, read and written whole and never queried (the
// agent reads the same from image.json on the volume).
constexpr std::string_view kCreateContainerImages = R"sql(CREATE TABLE container_images (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (name <> ''),
    digest TEXT NOT NULL UNIQUE CHECK (digest GLOB 'sha256:*'),
    source TEXT NOT NULL DEFAULT '',
    size_bytes INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    config_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config_json)),
    volume_file TEXT NOT NULL,
    volume_bytes INTEGER NOT NULL DEFAULT 0 CHECK (volume_bytes >= 0),
    created_at INTEGER NOT NULL))sql";

// --- version 6: container addresses
// What Pidvisor handed out on each libvirt network (vm/ContainerAddresses):
// the holder is a container by VM and name, which a restore or migration
// moves; a VM's deletion releases its containers' addresses.
constexpr std::string_view kCreateContainerAddresses = R"sql(CREATE TABLE container_addresses (
    network TEXT NOT NULL CHECK (network <> ''),
    address TEXT NOT NULL CHECK (address <> ''),
    mac TEXT NOT NULL CHECK (length(mac) = 17),
    vm_id INTEGER NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    container_name TEXT NOT NULL CHECK (container_name <> ''),
    allocated_at INTEGER NOT NULL,
    PRIMARY KEY (network, address),
    UNIQUE (network, mac),
    UNIQUE (vm_id, container_name)))sql";

Status applyStep(const Database& db, const Migration& step)
{
    std::string doing = "migrating " + db.path() + " to schema version " + std::to_string(step.version) + " (" +
                        std::string(step.summary) + ")";
    return db.transaction(doing, [&]() -> Status {
        PV_TRY(int current, readSchemaVersion(db));
        if (current >= step.version)
            return {}; // another process got here first
        if (current != step.version - 1)
            return fail(ErrorCode::Internal, "inventory: " + doing + ": file is at version " +
                                                 std::to_string(current));
        for (std::string_view sql : step.statements)
            PV_TRY_STATUS(db.exec(doing, std::string(sql)));
        // PRAGMA takes no bound parameters; the number is ours, not input.
        return db.exec(doing, "PRAGMA user_version = " + std::to_string(step.version));
    });
}

} // namespace

const std::vector<Migration>& schemaMigrations()
{
    static const std::vector<Migration> steps{
        {1,
         "hosts, images, vms, operations",
         {kCreateHosts, kCreateImages, kCreateVms, kIndexVmsImage, kCreateOperations, kIndexOperationsStarted,
          kIndexOperationsRunning}},
        {2, "containers", {kCreateContainers}},
        {3, "checkpoints", {kCreateCheckpoints, kIndexCheckpointsVm, kIndexCheckpointsCreated}},
        {4,
         "checkpoint pids and durations as rows and columns",
         {kCreateCheckpointPids, kCopyArrayPids, kCopyObjectPids, kAddDumpMs, kAddHashMs, kAddTransferMs, kAddTotalMs,
          kAddTransferBytes, kCopyDurations, kCreateCriuStats, kCopyCriuStats,
          kDropPidMapJson, kDropDurationsJson}},
        {5, "container images", {kCreateContainerImages}},
        {6, "container addresses", {kCreateContainerAddresses}},
    };
    return steps;
}

int latestSchemaVersion()
{
    return static_cast<int>(schemaMigrations().size());
}

Result<int> readSchemaVersion(const Database& db)
{
    PV_TRY(std::int64_t version, db.queryInt64("reading the schema version", "PRAGMA user_version"));
    return static_cast<int>(version);
}

Result<int> migrateSchema(const Database& db, int target)
{
    int latest = latestSchemaVersion();
    if (target < 0 || target > latest)
        return fail(ErrorCode::InvalidArgument, "inventory schema version " + std::to_string(target) +
                                                    " is unknown (latest is " + std::to_string(latest) + ")");
    PV_TRY(int current, readSchemaVersion(db));
    if (current > latest)
        return fail(ErrorCode::FailedPrecondition, "inventory " + db.path() + " has schema version " +
                                                       std::to_string(current) + ", newer than this Pidvisor (" +
                                                       std::to_string(latest) + ")");
    for (const Migration& step : schemaMigrations()) {
        if (step.version <= current || step.version > target)
            continue;
        PV_TRY_STATUS(applyStep(db, step));
    }
    return readSchemaVersion(db);
}

} // namespace pidvisor::manager
