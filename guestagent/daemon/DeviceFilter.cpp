#include "DeviceFilter.h"

#include "protocol/UniqueFd.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace pidvisor::agent {

namespace {

// The few instruction shapes the program needs (linux/filter.h's macros).
bpf_insn ldxW(int dst, int src, short off)
{
    return bpf_insn{BPF_LDX | BPF_W | BPF_MEM, static_cast<std::uint8_t>(dst), static_cast<std::uint8_t>(src), off, 0};
}
bpf_insn mov64Reg(int dst, int src)
{
    return bpf_insn{BPF_ALU64 | BPF_MOV | BPF_X, static_cast<std::uint8_t>(dst), static_cast<std::uint8_t>(src), 0, 0};
}
bpf_insn alu32Imm(int op, int dst, std::int32_t imm)
{
    return bpf_insn{static_cast<std::uint8_t>(BPF_ALU | op | BPF_K), static_cast<std::uint8_t>(dst), 0, 0, imm};
}
bpf_insn mov32Imm(int dst, std::int32_t imm)
{
    return bpf_insn{BPF_ALU | BPF_MOV | BPF_K, static_cast<std::uint8_t>(dst), 0, 0, imm};
}
bpf_insn jmpImm(int op, int dst, std::int32_t imm, short off)
{
    return bpf_insn{static_cast<std::uint8_t>(BPF_JMP | op | BPF_K), static_cast<std::uint8_t>(dst), 0, off, imm};
}
bpf_insn exitInsn()
{
    return bpf_insn{BPF_JMP | BPF_EXIT, 0, 0, 0, 0};
}

} // namespace

const std::vector<DeviceRule>& defaultDeviceRules()
{
    constexpr std::uint32_t rw = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
    static const std::vector<DeviceRule> rules = {
        {'c', -1, -1, BPF_DEVCG_ACC_MKNOD}, {'b', -1, -1, BPF_DEVCG_ACC_MKNOD},
        {'c', 1, 3, rw},   // null
        {'c', 1, 5, rw},   // zero
        {'c', 1, 7, rw},   // full
        {'c', 1, 8, rw},   // random
        {'c', 1, 9, rw},   // urandom
        {'c', 5, 0, rw},   // tty
        {'c', 5, 1, rw},   // console
        {'c', 5, 2, rw},   // ptmx
        {'c', 136, -1, rw}, // the pts
        {'c', 10, 200, rw}, // tun
    };
    return rules;
}

std::vector<bpf_insn> compileDeviceRules(const std::vector<DeviceRule>& rules)
{
    // r2 = type, r3 = access, r4 = major, r5 = minor.
    std::vector<bpf_insn> p = {
        ldxW(BPF_REG_2, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32Imm(BPF_AND, BPF_REG_2, 0xFFFF),
        ldxW(BPF_REG_3, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32Imm(BPF_RSH, BPF_REG_3, 16),
        ldxW(BPF_REG_4, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, major)),
        ldxW(BPF_REG_5, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, minor)),
    };
    for (const auto& r : rules) {
        std::vector<bpf_insn> checks;
        if (r.type == 'c' || r.type == 'b')
            checks.push_back(jmpImm(BPF_JNE, BPF_REG_2, r.type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0));
        // Every access asked for must be one the rule allows.
        if ((r.access & (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) !=
            (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
            checks.push_back(mov64Reg(BPF_REG_6, BPF_REG_3));
            checks.push_back(alu32Imm(BPF_AND, BPF_REG_6, static_cast<std::int32_t>(~r.access)));
            checks.push_back(jmpImm(BPF_JNE, BPF_REG_6, 0, 0));
        }
        if (r.major >= 0)
            checks.push_back(jmpImm(BPF_JNE, BPF_REG_4, static_cast<std::int32_t>(r.major), 0));
        if (r.minor >= 0)
            checks.push_back(jmpImm(BPF_JNE, BPF_REG_5, static_cast<std::int32_t>(r.minor), 0));
        // A failed check jumps past this rule's "allow" (two instructions).
        for (std::size_t i = 0; i < checks.size(); ++i)
            if (BPF_CLASS(checks[i].code) == BPF_JMP)
                checks[i].off = static_cast<short>(checks.size() - i - 1 + 2);
        p.insert(p.end(), checks.begin(), checks.end());
        p.push_back(mov32Imm(BPF_REG_0, 1));
        p.push_back(exitInsn());
    }
    p.push_back(mov32Imm(BPF_REG_0, 0));
    p.push_back(exitInsn());
    return p;
}

Status attachDeviceFilter(int cgroupFd, const std::vector<DeviceRule>& rules)
{
    std::vector<bpf_insn> program = compileDeviceRules(rules);
    static const char license[] = "GPL";
    bpf_attr load{};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<std::uint64_t>(program.data());
    load.insn_cnt = static_cast<std::uint32_t>(program.size());
    load.license = reinterpret_cast<std::uint64_t>(license);
    UniqueFd prog(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load)));
    if (!prog)
        return failErrno("loading the container's device filter (eBPF)", errno);
    bpf_attr attach{};
    attach.target_fd = static_cast<std::uint32_t>(cgroupFd);
    attach.attach_bpf_fd = static_cast<std::uint32_t>(prog.get());
    attach.attach_type = BPF_CGROUP_DEVICE;
    if (::syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach) < 0)
        return failErrno("attaching the device filter to the container's cgroup", errno);
    return {};
}

Result<bool> deviceFilterAttached(int cgroupFd)
{
    bpf_attr query{};
    query.query.target_fd = static_cast<std::uint32_t>(cgroupFd);
    query.query.attach_type = BPF_CGROUP_DEVICE;
    if (::syscall(SYS_bpf, BPF_PROG_QUERY, &query, sizeof query) < 0)
        return failErrno("asking which device filter the container's cgroup has", errno);
    return query.query.prog_cnt > 0;
}

} // namespace pidvisor::agent
