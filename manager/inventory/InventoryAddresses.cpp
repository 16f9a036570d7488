// Inventory: the addresses Pidvisor gave containers on libvirt networks.
#include "Inventory.h"

#include "protocol/Names.h"

namespace pidvisor::manager {

using protocol::quoteForMessage;

namespace {

constexpr std::string_view kAddressSelect =
    "SELECT network, address, mac, vm_id, container_name, allocated_at FROM container_addresses ";

AddressRecord readAddress(const Statement& row)
{
    AddressRecord a;
    a.network = row.columnText(0);
    a.address = row.columnText(1);
    a.mac = row.columnText(2);
    a.vmId = row.columnInt64(3);
    a.container = row.columnText(4);
    a.allocatedAt = row.columnInt64(5);
    return a;
}

std::string describeAddress(const std::string& network, const std::string& address)
{
    return "address " + address + " on network " + quoteForMessage(network);
}

Result<std::optional<AddressRecord>> firstAddress(Statement& select)
{
    PV_TRY(auto rows, select.collect(readAddress));
    if (rows.empty())
        return std::optional<AddressRecord>();
    return std::optional<AddressRecord>(std::move(rows.front()));
}

} // namespace

Status Inventory::insertAddress(const AddressRecord& a)
{
    std::string what = describeAddress(a.network, a.address);
    auto guard = lock();
    PV_TRY_STATUS(requireVm(a.vmId, "storing " + what));
    PV_TRY(Statement insert,
           m_db.prepare("storing " + what,
                        "INSERT INTO container_addresses (network, address, mac, vm_id, container_name, allocated_at) "
                        "VALUES (:network, :address, :mac, :vm_id, :container, :allocated_at)"));
    insert.bindText(":network", a.network)
        .bindText(":address", a.address)
        .bindText(":mac", a.mac)
        .bindInt64(":vm_id", a.vmId)
        .bindText(":container", a.container)
        .bindInt64(":allocated_at", a.allocatedAt != 0 ? a.allocatedAt : nowMillis());
    return insert.run();
}

Result<std::vector<AddressRecord>> Inventory::addresses(const std::string& network) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing the addresses on network " + quoteForMessage(network),
                                          std::string(kAddressSelect) + "WHERE network = :network ORDER BY address"));
    select.bindText(":network", network);
    return select.collect(readAddress);
}

Result<std::optional<AddressRecord>> Inventory::findAddress(const std::string& network, const std::string& address) const
{
    auto guard = lock();
    PV_TRY(Statement select,
           m_db.prepare("finding " + describeAddress(network, address),
                        std::string(kAddressSelect) + "WHERE network = :network AND address = :address"));
    select.bindText(":network", network).bindText(":address", address);
    return firstAddress(select);
}

Result<std::optional<AddressRecord>> Inventory::findAddressOf(std::int64_t vmId, const std::string& container) const
{
    auto guard = lock();
    PV_TRY(Statement select,
           m_db.prepare("finding the address of container " + quoteForMessage(container),
                        std::string(kAddressSelect) + "WHERE vm_id = :vm_id AND container_name = :container"));
    select.bindInt64(":vm_id", vmId).bindText(":container", container);
    return firstAddress(select);
}

Status Inventory::moveAddress(const std::string& network, const std::string& address, std::int64_t vmId,
                              const std::string& container)
{
    std::string what = describeAddress(network, address);
    auto guard = lock();
    PV_TRY_STATUS(requireVm(vmId, "moving " + what));
    PV_TRY(Statement update, m_db.prepare("moving " + what,
                                          "UPDATE container_addresses SET vm_id = :vm_id, container_name = :container "
                                          "WHERE network = :network AND address = :address"));
    update.bindInt64(":vm_id", vmId).bindText(":container", container).bindText(":network", network).bindText(
        ":address", address);
    PV_TRY_STATUS(update.run());
    return requireChanged(what);
}

Status Inventory::deleteAddress(const std::string& network, const std::string& address)
{
    std::string what = describeAddress(network, address);
    auto guard = lock();
    PV_TRY(Statement remove, m_db.prepare("releasing " + what, "DELETE FROM container_addresses "
                                                                "WHERE network = :network AND address = :address"));
    remove.bindText(":network", network).bindText(":address", address);
    PV_TRY_STATUS(remove.run());
    return requireChanged(what);
}

} // namespace pidvisor::manager
