// CriuRequest: one request of CRIU's RPC (rpc.proto's criu_req), built from
// typed options with the protobuf-c code generated from CRIU's own
// rpc.proto. The request owns every string and sub-message its C structs
// point to, so it packs as long as it lives. dump, pre-dump and restore
// are the only requests the agent makes.
#pragma once

#include "rpc.pb-c.h"

#include <sys/types.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace pidvisor::agent {

// What the dumped tree does once the dump is written.
enum class CriuLeave { Running, Stopped, Killed };

struct CriuDumpOptions {
    bool preDump = false;       // memory only, the tree keeps running
    pid_t pid = 0;              // root of the tree, global pid
    int imagesDirFd = -1;       // CRIU opens it through /proc/<agent>/fd
    int workDirFd = -1;         // where the log goes
    std::string logFile;        // a name inside the work directory
    int logLevel = 4;
    std::string parentImages;   // relative to the images directory; "" none
    bool trackMemory = false;   // always on for a pre-dump
    CriuLeave leave = CriuLeave::Running;
    bool notifyScripts = false; // CRIU asks before and after each stage
    // Established TCP connections are dumped (repair mode) rather than
    // refused, with the network locked while the tree is frozen.
    bool tcpEstablished = true;
    bool nftablesLock = false; // CRIU's nftables lock instead of iptables
    std::vector<std::string> externals; // --external: mounts CRIU leaves to the restore
};

struct CriuRestoreOptions {
    int imagesDirFd = -1;
    int workDirFd = -1;
    std::string logFile;
    int logLevel = 4;
    std::string root;          // the tree's root directory
    std::string cgroupRoot;    // e.g. "/pidvisor/NAME"; "" keeps the dumped cgroups
    bool notifyScripts = true; // setup-namespaces gives the root pid, pre-resume the last check
    bool restoreSibling = true; // the restored tree becomes a child of the caller
    bool tcpEstablished = true; // the dumped connections come back established
    bool tcpClose = false;      // ... or closed (a clone; a peer that is gone)
    bool nftablesLock = false;
    std::vector<std::string> externals; // e.g. "veth[eth0]:pv0123@pvbr0"
};

class CriuRequest {
public:
    [[nodiscard]] static CriuRequest dump(const CriuDumpOptions& options);
    [[nodiscard]] static CriuRequest restore(const CriuRestoreOptions& options);
    // The answer to one of CRIU's notifications: go on, or undo.
    [[nodiscard]] static CriuRequest notifyAnswer(bool success);

    [[nodiscard]] CriuReqType type() const { return m_state->req.type; }
    [[nodiscard]] const CriuReq& message() const { return m_state->req; }
    // The wire bytes, one SOCK_SEQPACKET message.
    [[nodiscard]] std::string pack() const;

private:
    explicit CriuRequest(CriuReqType type);
    char* keep(std::string text);
    // What dump and restore set alike: directories, log, notifications.
    void setCommon(int imagesDirFd, int workDirFd, int logLevel, const std::string& logFile, bool notifyScripts);
    void setNetwork(bool tcpEstablished, bool tcpClose, bool nftablesLock);
    void setExternals(const std::vector<std::string>& externals);

    // The C structs point into each other: they live on the heap, so a
    // moved request keeps them where they are.
    struct State {
        CriuReq req;
        CriuOpts opts;
        CgroupRoot cgroupRoot;
        CgroupRoot* cgroupRoots[1] = {nullptr};
        std::vector<char*> externals;
        std::deque<std::string> strings; // a deque never moves its elements
    };
    std::unique_ptr<State> m_state;
};

// An unpacked response; the deleter is protobuf-c's free.
struct CriuRespDeleter {
    void operator()(CriuResp* resp) const { criu_resp__free_unpacked(resp, nullptr); }
};
using CriuRespPtr = std::unique_ptr<CriuResp, CriuRespDeleter>;

// nullptr when the bytes are not a criu_resp.
[[nodiscard]] CriuRespPtr unpackCriuResp(const void* data, std::size_t size);

} // namespace pidvisor::agent
