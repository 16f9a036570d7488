#include "CpuTuning.h"

#include <cpuid.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace pidvisor::agent {

namespace {
constexpr const char* kMarker = "PIDVISOR_OPENSSL_TUNED";
// Clears AVX (CPUID 1 ECX bit 28) and SSSE3 (bit 9) in the first word,
// AVX2 (CPUID 7 EBX bit 5) in the second: OpenSSL takes its scalar SHA-256.
constexpr const char* kScalarSha = "~0x1000020000000000:~0x20";
} // namespace

const char* hypervisorVendor()
{
    static char vendor[13] = {};
    unsigned a = 0, b = 0, c = 0, d = 0;
    __cpuid(1, a, b, c, d);
    if (!(c & (1U << 31))) // no hypervisor
        return "";
    __cpuid(0x40000000, a, b, c, d);
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &c, 4);
    std::memcpy(vendor + 8, &d, 4);
    return vendor;
}

void tuneOpenSslForTcg(char** argv)
{
    if (std::getenv(kMarker)) {
        ::unsetenv(kMarker);
        ::unsetenv("OPENSSL_ia32cap");
        return;
    }
    if (std::getenv("OPENSSL_ia32cap") || std::strcmp(hypervisorVendor(), "TCGTCGTCGTCG") != 0)
        return;
    ::setenv(kMarker, "1", 1);
    ::setenv("OPENSSL_ia32cap", kScalarSha, 1);
    ::execv("/proc/self/exe", argv);
    ::unsetenv(kMarker); // exec failed: carry on as we are
    ::unsetenv("OPENSSL_ia32cap");
}

} // namespace pidvisor::agent
