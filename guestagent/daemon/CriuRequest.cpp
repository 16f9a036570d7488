#include "CriuRequest.h"

namespace pidvisor::agent {

CriuRequest::CriuRequest(CriuReqType type) : m_state(std::make_unique<State>())
{
    criu_req__init(&m_state->req);
    criu_opts__init(&m_state->opts);
    cgroup_root__init(&m_state->cgroupRoot);
    m_state->req.type = type;
}

char* CriuRequest::keep(std::string text)
{
    m_state->strings.push_back(std::move(text));
    return m_state->strings.back().data();
}

void CriuRequest::setCommon(int imagesDirFd, int workDirFd, int logLevel, const std::string& logFile,
                            bool notifyScripts)
{
    CriuOpts& opts = m_state->opts;
    opts.images_dir_fd = imagesDirFd;
    opts.has_work_dir_fd = true;
    opts.work_dir_fd = workDirFd;
    opts.has_log_level = true;
    opts.log_level = logLevel;
    opts.log_file = keep(logFile);
    if (notifyScripts) {
        opts.has_notify_scripts = true;
        opts.notify_scripts = true;
    }
}

void CriuRequest::setNetwork(bool tcpEstablished, bool tcpClose, bool nftablesLock)
{
    CriuOpts& opts = m_state->opts;
    if (tcpClose) {
        opts.has_tcp_close = true;
        opts.tcp_close = true;
    } else if (tcpEstablished) {
        opts.has_tcp_established = true;
        opts.tcp_established = true;
    }
    if (nftablesLock) {
        opts.has_network_lock = true;
        opts.network_lock = CRIU_NETWORK_LOCK_METHOD__NFTABLES;
    }
}

void CriuRequest::setExternals(const std::vector<std::string>& externals)
{
    CriuOpts& opts = m_state->opts;
    for (const auto& e : externals)
        m_state->externals.push_back(keep(e));
    opts.n_external = m_state->externals.size();
    opts.external = m_state->externals.empty() ? nullptr : m_state->externals.data();
}

CriuRequest CriuRequest::dump(const CriuDumpOptions& o)
{
    CriuRequest r(o.preDump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP);
    CriuOpts& opts = r.m_state->opts;
    r.setCommon(o.imagesDirFd, o.workDirFd, o.logLevel, o.logFile, o.notifyScripts);
    opts.has_pid = true;
    opts.pid = o.pid;
    if (!o.parentImages.empty())
        opts.parent_img = r.keep(o.parentImages);
    if (o.trackMemory || o.preDump) {
        opts.has_track_mem = true;
        opts.track_mem = true;
    }
    if (!o.preDump)
        r.setNetwork(o.tcpEstablished, false, o.nftablesLock);
    r.setExternals(o.externals);
    if (!o.preDump) {
        opts.has_leave_running = o.leave == CriuLeave::Running;
        opts.leave_running = opts.has_leave_running;
        opts.has_leave_stopped = o.leave == CriuLeave::Stopped;
        opts.leave_stopped = opts.has_leave_stopped;
    }
    r.m_state->req.opts = &opts;
    return r;
}

CriuRequest CriuRequest::restore(const CriuRestoreOptions& o)
{
    CriuRequest r(CRIU_REQ_TYPE__RESTORE);
    CriuOpts& opts = r.m_state->opts;
    r.setCommon(o.imagesDirFd, o.workDirFd, o.logLevel, o.logFile, o.notifyScripts);
    if (!o.root.empty())
        opts.root = r.keep(o.root);
    r.setNetwork(o.tcpEstablished, o.tcpClose, o.nftablesLock);
    r.setExternals(o.externals);
    if (o.restoreSibling) {
        opts.has_rst_sibling = true;
        opts.rst_sibling = true;
    }
    if (!o.cgroupRoot.empty()) {
        r.m_state->cgroupRoot.path = r.keep(o.cgroupRoot);
        r.m_state->cgroupRoots[0] = &r.m_state->cgroupRoot;
        opts.n_cg_root = 1;
        opts.cg_root = r.m_state->cgroupRoots;
    }
    r.m_state->req.opts = &opts;
    return r;
}

CriuRequest CriuRequest::notifyAnswer(bool success)
{
    CriuRequest r(CRIU_REQ_TYPE__NOTIFY);
    r.m_state->req.has_notify_success = true;
    r.m_state->req.notify_success = success;
    return r;
}

std::string CriuRequest::pack() const
{
    std::string out(criu_req__get_packed_size(&m_state->req), '\0');
    criu_req__pack(&m_state->req, reinterpret_cast<std::uint8_t*>(out.data()));
    return out;
}

CriuRespPtr unpackCriuResp(const void* data, std::size_t size)
{
    return CriuRespPtr(criu_resp__unpack(nullptr, size, static_cast<const std::uint8_t*>(data)));
}

} // namespace pidvisor::agent
