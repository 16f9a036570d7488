// CpuTuning: under QEMU's TCG (no hardware virtualization), OpenSSL's
// vector SHA-256 (SSSE3/AVX/AVX2) is emulated instruction by instruction
// and runs at 58 MiB/s, its plain x86-64 code at 89 MiB/s (measured in a
// Pidvisor VM). Checkpoints hash every byte, so the agent daemon asks
// OpenSSL for the plain code there. OpenSSL reads OPENSSL_ia32cap before
// main(), hence a re-exec; the variable is removed again afterwards so
// that nothing the agent starts inherits it.
#pragma once

namespace pidvisor::agent {

// The hypervisor's CPUID vendor ("TCGTCGTCGTCG", "KVMKVMKVM"), or "".
[[nodiscard]] const char* hypervisorVendor();

// Under TCG: re-executes this program with OPENSSL_ia32cap set (returns
// only if that is not needed or fails). After the re-exec: clears it.
void tuneOpenSslForTcg(char** argv);

} // namespace pidvisor::agent
