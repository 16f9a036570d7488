// Inventory: everything the manager remembers between runs (libvirt hosts,
// guest images, container images, VMs, their containers, checkpoints, and an audit log of
// operations), kept in one SQLite file. It is the only way in: the CLI and
// the GUI use this class, never SQL.
//
// Sharing: an Inventory may be used from several threads (the GUI's
// workers); one connection serves it and a mutex serialises the calls, each
// of which is short. Several processes may open the same file at once (the
// CLI while the GUI runs): the file is in WAL mode, so reads never wait for
// writes, and a write waits up to Database::kBusyTimeout for another
// process's write before failing with Unavailable (retry).
//
// Errors: a taken name is AlreadyExists; writing a row that is not there
// (update, delete, end) is NotFound; find*() return std::nullopt instead.
// Messages name what was being done ("inventory: inserting vm 'demo': ...").
//
//   PV_TRY(Inventory inventory, Inventory::open(defaultInventoryPath()));
//   PV_TRY(HostRecord host, inventory.ensureHost("qemu:///system", "local"));
//   PV_TRY(std::int64_t op, inventory.beginOperation("vm.create", "demo"));
//   Status outcome = createTheVm();
//   (void)inventory.endOperation(op, outcome);
#pragma once

#include "Database.h"
#include "InventoryRecords.h"

#include "protocol/Result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pidvisor::manager {

// $XDG_DATA_HOME/pidvisor/inventory.db, else ~/.local/share/pidvisor/inventory.db.
[[nodiscard]] std::string defaultInventoryPath();

class Inventory {
public:
    // Creates the parent directories, opens (or creates) the file and
    // migrates it to the latest schema. ":memory:" gives a private database.
    // A file from a newer Pidvisor is refused with FailedPrecondition.
    [[nodiscard]] static Result<Inventory> open(const std::string& path);
    // As open() but migrates only up to `version`: for testing migrations.
    [[nodiscard]] static Result<Inventory> openAtVersion(const std::string& path, int version);

    [[nodiscard]] static int latestVersion();
    [[nodiscard]] int schemaVersion() const { return m_version; }
    [[nodiscard]] const std::string& path() const { return m_db.path(); }

    // Hosts. ensureHost returns the existing row for a known uri unchanged.
    [[nodiscard]] Result<HostRecord> ensureHost(const std::string& uri, const std::string& name);
    [[nodiscard]] Result<std::optional<HostRecord>> findHost(const std::string& uri) const;
    [[nodiscard]] Result<std::vector<HostRecord>> hosts() const;

    // Images. Upserting keeps VMs' references to the image (it is an
    // update in place, not a delete and insert); deleting clears them.
    [[nodiscard]] Status upsertImage(const ImageRecord& image);
    [[nodiscard]] Result<std::optional<ImageRecord>> findImage(const std::string& id) const;
    [[nodiscard]] Result<std::vector<ImageRecord>> images() const;
    [[nodiscard]] Status deleteImage(const std::string& id);

    // Container images (ImageService). Name and digest are each unique
    // (AlreadyExists); insert ignores image.id and returns the new one.
    // ByDigest takes a full digest; ...ImagesByDigest every image whose
    // digest starts with `prefix` ("sha256:" included), by name.
    [[nodiscard]] Result<std::int64_t> insertContainerImage(const ContainerImageRecord& image);
    [[nodiscard]] Result<std::vector<ContainerImageRecord>> containerImages() const; // by name
    [[nodiscard]] Result<std::optional<ContainerImageRecord>> findContainerImageByName(const std::string& name) const;
    [[nodiscard]] Result<std::optional<ContainerImageRecord>>
    findContainerImageByDigest(const std::string& digest) const;
    [[nodiscard]] Result<std::vector<ContainerImageRecord>>
    findContainerImagesByDigest(const std::string& prefix) const;
    [[nodiscard]] Status deleteContainerImage(std::int64_t id);

    // VMs. insertVm ignores vm.id and returns the new one; updateVm writes
    // every field of the row vm.id. Both set updatedAt to now.
    [[nodiscard]] Result<std::int64_t> insertVm(const VmRecord& vm);
    [[nodiscard]] Status updateVm(const VmRecord& vm);
    [[nodiscard]] Result<std::optional<VmRecord>> findVm(std::int64_t hostId, const std::string& name) const;
    [[nodiscard]] Result<std::optional<VmRecord>> findVmById(std::int64_t id) const;
    [[nodiscard]] Result<std::vector<VmRecord>> vms() const;
    [[nodiscard]] Result<std::vector<VmRecord>> vms(std::int64_t hostId) const;
    // Deletes the VM and its containers; its checkpoints stay, unlinked.
    [[nodiscard]] Status deleteVm(std::int64_t id);
    [[nodiscard]] Status setVmMissing(std::int64_t id, bool missing);
    [[nodiscard]] Status setVmState(std::int64_t id, VmState state);

    // Containers. replaceContainers makes `containers` (the agent's list)
    // the VM's whole set in one transaction: rows not in it are deleted,
    // the rest inserted or updated (keeping their ids). vmId in the records
    // is ignored in favour of the argument.
    [[nodiscard]] Status replaceContainers(std::int64_t vmId, const std::vector<ContainerRecord>& containers);
    [[nodiscard]] Result<std::int64_t> upsertContainer(const ContainerRecord& container);
    [[nodiscard]] Result<std::vector<ContainerRecord>> containers(std::int64_t vmId) const;
    [[nodiscard]] Status deleteContainer(std::int64_t vmId, const std::string& name);

    // Container addresses (vm/ContainerAddresses). insertAddress is
    // AlreadyExists when the address (or the MAC) is taken on that network;
    // moveAddress gives it to another holder; the finds return std::nullopt.
    [[nodiscard]] Status insertAddress(const AddressRecord& address);
    [[nodiscard]] Result<std::vector<AddressRecord>> addresses(const std::string& network) const; // by address
    [[nodiscard]] Result<std::optional<AddressRecord>> findAddress(const std::string& network,
                                                                   const std::string& address) const;
    [[nodiscard]] Result<std::optional<AddressRecord>> findAddressOf(std::int64_t vmId,
                                                                     const std::string& container) const;
    [[nodiscard]] Status moveAddress(const std::string& network, const std::string& address, std::int64_t vmId,
                                     const std::string& container);
    [[nodiscard]] Status deleteAddress(const std::string& network, const std::string& address);

    // Checkpoints. findCheckpoint takes a full id or a prefix of exactly
    // one; an exact id wins over longer ids it is a prefix of, and a prefix
    // of several is InvalidArgument. Lists are newest first.
    [[nodiscard]] Status insertCheckpoint(const CheckpointRecord& checkpoint);
    [[nodiscard]] Status updateCheckpoint(const CheckpointRecord& checkpoint);
    [[nodiscard]] Result<std::optional<CheckpointRecord>> findCheckpoint(const std::string& idOrPrefix) const;
    [[nodiscard]] Result<std::vector<CheckpointRecord>> checkpoints() const;
    [[nodiscard]] Result<std::vector<CheckpointRecord>> checkpointsForVm(std::int64_t vmId) const;
    [[nodiscard]] Status deleteCheckpoint(const std::string& id);

    // Operations: the audit log. beginOperation records this process as the
    // owner. endOperation stores ok, cancelled (ErrorCode::Cancelled) or
    // error with the code's name and message; an empty detailsJson keeps
    // the details given at the start. Ending twice is FailedPrecondition.
    [[nodiscard]] Result<std::int64_t> beginOperation(const std::string& kind, const std::string& target,
                                                      const std::string& detailsJson = "{}");
    [[nodiscard]] Status endOperation(std::int64_t id, const Status& outcome, const std::string& detailsJson = {});
    [[nodiscard]] Result<std::optional<OperationRecord>> findOperation(std::int64_t id) const;
    // Newest first.
    [[nodiscard]] Result<std::vector<OperationRecord>> operations(std::size_t limit = 100) const;
    // Operations still "running" whose owning process has ended (crashed,
    // killed); those of live processes, such as a running GUI, are left out.
    [[nodiscard]] Result<std::vector<OperationRecord>> interruptedOperations() const;
    // Ends those as errors ("interrupted: the process running it ended")
    // and returns them as they are now. The caller decides when, e.g. at
    // start-up.
    [[nodiscard]] Result<std::vector<OperationRecord>> markInterrupted();

private:
    Inventory(Database db, int version);
    [[nodiscard]] static Result<Inventory> openImpl(const std::string& path, int version);
    [[nodiscard]] std::unique_lock<std::mutex> lock() const { return std::unique_lock(*m_mutex); }
    [[nodiscard]] static std::int64_t nowMillis();

    // NotFound "inventory: no <what>" when the last write changed no row.
    [[nodiscard]] Status requireChanged(std::string_view what) const;
    [[nodiscard]] Status requireVm(std::int64_t id, std::string_view doing) const;
    [[nodiscard]] Result<std::int64_t> writeContainer(const ContainerRecord& container) const;
    [[nodiscard]] Result<std::vector<OperationRecord>> queryInterrupted() const;

    // Held in a unique_ptr so that Inventory can be returned by value.
    std::unique_ptr<std::mutex> m_mutex;
    Database m_db;
    int m_version = 0;
};

} // namespace pidvisor::manager
