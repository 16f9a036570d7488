// A stand-in for `criu swrk FD`, for CriuRpc's tests: it speaks CRIU's RPC
// (the code generated from rpc.proto) on the inherited socket. The request's
// log_file picks the behaviour:
//   restore-ok.log    notify setup-namespaces (pid 42) and pre-resume; answer
//                     pid 4242, or a failure if pre-resume was refused
//   dump-ok.log       notify post-dump; success, or a failure if refused
//   dump-fail.log     failure with cr_errno EPERM and a cr_errmsg
//   hang.log          never answers
//   garbage.log       answers bytes that are no criu_resp
//   wrong-type.log    answers with a response of another type
#include "rpc.pb-c.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int g_sock = -1;

void send(CriuResp& resp)
{
    std::string bytes(criu_resp__get_packed_size(&resp), '\0');
    criu_resp__pack(&resp, reinterpret_cast<std::uint8_t*>(bytes.data()));
    if (::send(g_sock, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0)
        std::exit(3);
}

CriuReq* receive()
{
    static std::uint8_t buf[1 << 16];
    ssize_t n = ::recv(g_sock, buf, sizeof buf, 0);
    if (n <= 0)
        std::exit(4);
    CriuReq* req = criu_req__unpack(nullptr, static_cast<std::size_t>(n), buf);
    if (!req)
        std::exit(5);
    return req;
}

// Sends one notification; true when the agent said go on.
bool notify(const char* script, int pid)
{
    CriuNotify note = CRIU_NOTIFY__INIT;
    note.script = const_cast<char*>(script);
    if (pid) {
        note.has_pid = true;
        note.pid = pid;
    }
    CriuResp resp = CRIU_RESP__INIT;
    resp.type = CRIU_REQ_TYPE__NOTIFY;
    resp.success = true;
    resp.notify = &note;
    send(resp);
    CriuReq* ack = receive();
    bool ok = ack->type == CRIU_REQ_TYPE__NOTIFY && ack->has_notify_success && ack->notify_success;
    criu_req__free_unpacked(ack, nullptr);
    return ok;
}

void answer(CriuReqType type, bool success, const char* errmsg = nullptr, int err = 0, int pid = 0)
{
    CriuResp resp = CRIU_RESP__INIT;
    resp.type = type;
    resp.success = success;
    if (errmsg)
        resp.cr_errmsg = const_cast<char*>(errmsg);
    if (err) {
        resp.has_cr_errno = true;
        resp.cr_errno = err;
    }
    CriuRestoreResp restored = CRIU_RESTORE_RESP__INIT;
    if (pid) {
        restored.pid = pid;
        resp.restore = &restored;
    }
    send(resp);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3 || std::strcmp(argv[1], "swrk") != 0)
        return 2;
    g_sock = std::atoi(argv[2]);
    CriuReq* req = receive();
    std::string mode = req->opts && req->opts->log_file ? req->opts->log_file : "";
    CriuReqType type = req->type;
    criu_req__free_unpacked(req, nullptr);
    if (mode == "restore-ok.log") {
        bool ok = notify("setup-namespaces", 42) && notify("pre-resume", 0);
        if (ok)
            answer(type, true, nullptr, 0, 4242);
        else
            answer(type, false, "restore aborted by the caller");
    } else if (mode == "dump-ok.log") {
        answer(type, notify("post-dump", 0));
    } else if (mode == "dump-fail.log") {
        answer(type, false, "Can't seize the tree", EPERM);
    } else if (mode == "hang.log") {
        ::pause();
    } else if (mode == "garbage.log") {
        ::send(g_sock, "\xff\xff\xff", 3, MSG_NOSIGNAL);
    } else if (mode == "wrong-type.log") {
        answer(CRIU_REQ_TYPE__CHECK, true);
    } else {
        return 6;
    }
    return 0;
}
