// DomainXml: the libvirt domain definition of a Pidvisor VM, and what the
// manager reads back from libvirt's XML.
//
// A Pidvisor VM is an ordinary persistent libvirt domain (virsh and
// virt-manager see it): direct kernel boot of a guest image, ACPI, the
// agent's virtio-serial channel org.pidvisor.agent.0, a serial console that
// libvirt logs to a file, an optional qcow2 data disk, an optional virtio
// NIC on a libvirt network (libvirt chooses its MAC), and a <metadata>
// element in Pidvisor's namespace naming the image and inventory id. A
// virtio-scsi controller takes container-image disks, hot-plugged read-only
// while the VM runs (q35's root complex takes no PCI hot-plug; a SCSI bus
// needs no extra PCIe ports to enumerate at boot).
#pragma once

#include "protocol/Result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::manager {

inline constexpr const char* kAgentChannel = "org.pidvisor.agent.0";

struct VmSpec {
    std::string name;
    std::string domainType = "qemu"; // "kvm", "qemu" (TCG), or "test" for libvirt's test driver
    std::string accel = "tcg";
    std::int64_t memoryMiB = 512;
    int vcpus = 1;
    std::string kernelPath;
    std::string initrdPath;
    std::string cmdline;
    std::string consoleLogPath; // empty: no log file
    std::string dataDiskPath;   // empty: no data disk
    std::string network;        // a libvirt network's name (a virtio NIC on it); empty: none
    // Metadata
    std::int64_t inventoryId = 0;
    std::string imageId;
    std::string kernel; // stock, container or a path
    std::string created;
    std::string owner; // the managing inventory: "HOST:/path/to/inventory.db"
};

struct PidvisorMetadata {
    std::int64_t inventoryId = 0;
    std::string imageId;
    std::string kernel;
    std::string accel;
    std::string created;
    std::string owner;
};

[[nodiscard]] std::string buildDomainXml(const VmSpec& spec);

// The metadata element as virDomainGetMetadata returns it.
[[nodiscard]] Result<PidvisorMetadata> parseMetadata(const std::string& metadataXml);

// From a running domain's XML: the host-side unix socket of the agent
// channel (libvirt chooses it when the definition leaves it out).
[[nodiscard]] std::optional<std::string> agentSocketPath(const std::string& domainXml);

// Values of a definition that the inventory mirrors.
struct DomainFacts {
    std::string domainType;
    std::int64_t memoryMiB = 0;
    int vcpus = 0;
    std::string consoleLogPath;
    std::string dataDiskPath;
    std::string network; // the libvirt network of its first interface, "" for none
    std::string mac;
};
[[nodiscard]] Result<DomainFacts> readDomainFacts(const std::string& domainXml);

// A VM's NIC as libvirt reports it now (VmService::show): the network of
// its definition and the addresses of the network's DHCP leases.
struct VmNetworkView {
    std::string network; // "" when the VM has no NIC
    std::string mac;
    std::vector<std::string> addresses; // "10.83.0.57/24"
};
// "pidvisor (52:54:00:12:34:56) 10.83.0.57/24", "... no address yet", or "none".
[[nodiscard]] std::string describeNetwork(const VmNetworkView& net);

// A container image's disk: read-only, raw (an erofs volume), on the
// virtio-scsi controller, its serial "pv-" and the digest's first 16 hex.
struct ImageDisk {
    std::string targetDev; // sdX
    std::string sourceFile;
    std::string serial;
};
[[nodiscard]] std::string imageDiskSerial(const std::string& digest);
[[nodiscard]] std::string buildImageDiskXml(const ImageDisk& disk);
// The image disks of a domain definition (by their "pv-" serial).
[[nodiscard]] std::vector<ImageDisk> imageDisks(const std::string& domainXml);
// The first sdX name no disk of the definition uses; "" when sda-sdz all are.
[[nodiscard]] std::string freeScsiTarget(const std::string& domainXml);

} // namespace pidvisor::manager
