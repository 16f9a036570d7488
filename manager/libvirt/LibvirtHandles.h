// RAII for every libvirt handle, from the line that creates it, and the
// conversion of libvirt's last error into our Error.
#pragma once

#include "protocol/Result.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace pidvisor::manager {

template <auto Fn>
struct LibvirtDeleter {
    template <class T>
    void operator()(T* p) const
    {
        if (p)
            Fn(p);
    }
};

using ConnectPtr = std::unique_ptr<virConnect, LibvirtDeleter<virConnectClose>>;
using DomainPtr = std::unique_ptr<virDomain, LibvirtDeleter<virDomainFree>>;
using StreamPtr = std::unique_ptr<virStream, LibvirtDeleter<virStreamFree>>;
using PoolPtr = std::unique_ptr<virStoragePool, LibvirtDeleter<virStoragePoolFree>>;
using VolumePtr = std::unique_ptr<virStorageVol, LibvirtDeleter<virStorageVolFree>>;

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};
// A string libvirt allocated for us (virDomainGetXMLDesc and friends).
using LibvirtString = std::unique_ptr<char, FreeDeleter>;

// libvirt's last error as an Error: "what: libvirt's message". The code
// follows what the caller should do (no such domain -> NotFound, etc.).
[[nodiscard]] Error libvirtError(std::string_view what);

// Keeps libvirt from printing errors to stderr: we report them ourselves.
void silenceLibvirtErrors();

} // namespace pidvisor::manager
