// CRIU RPC requests: each one is packed, then decoded back with the
// protobuf-c code generated from CRIU's rpc.proto, and its fields checked.
#include "daemon/CriuRequest.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace pidvisor::agent {
namespace {

struct ReqDeleter {
    void operator()(CriuReq* r) const { criu_req__free_unpacked(r, nullptr); }
};
using ReqPtr = std::unique_ptr<CriuReq, ReqDeleter>;

ReqPtr decode(const CriuRequest& request)
{
    std::string bytes = request.pack();
    return ReqPtr(criu_req__unpack(nullptr, bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data())));
}

CriuDumpOptions dumpOptions()
{
    CriuDumpOptions o;
    o.pid = 4242;
    o.imagesDirFd = 7;
    o.workDirFd = 8;
    o.logFile = "dump-cp1.log";
    return o;
}

TEST(CriuRequest, DumpCarriesPidDirectoriesAndLog)
{
    CriuDumpOptions o = dumpOptions();
    o.notifyScripts = true;
    ReqPtr req = decode(CriuRequest::dump(o));
    ASSERT_TRUE(req);
    EXPECT_EQ(req->type, CRIU_REQ_TYPE__DUMP);
    ASSERT_NE(req->opts, nullptr);
    const CriuOpts& opts = *req->opts;
    EXPECT_EQ(opts.images_dir_fd, 7);
    ASSERT_TRUE(opts.has_work_dir_fd);
    EXPECT_EQ(opts.work_dir_fd, 8);
    ASSERT_TRUE(opts.has_pid);
    EXPECT_EQ(opts.pid, 4242);
    ASSERT_TRUE(opts.has_log_level);
    EXPECT_EQ(opts.log_level, 4);
    ASSERT_NE(opts.log_file, nullptr);
    EXPECT_STREQ(opts.log_file, "dump-cp1.log");
    EXPECT_TRUE(opts.has_leave_running && opts.leave_running);
    EXPECT_FALSE(opts.has_leave_stopped);
    EXPECT_TRUE(opts.has_notify_scripts && opts.notify_scripts);
    EXPECT_FALSE(opts.has_track_mem);
    EXPECT_EQ(opts.parent_img, nullptr);
    EXPECT_FALSE(opts.has_rst_sibling);
    EXPECT_EQ(opts.root, nullptr);
}

TEST(CriuRequest, DumpLeavesTheTreeAsAsked)
{
    CriuDumpOptions o = dumpOptions();
    o.leave = CriuLeave::Stopped;
    ReqPtr stopped = decode(CriuRequest::dump(o));
    ASSERT_TRUE(stopped);
    EXPECT_TRUE(stopped->opts->has_leave_stopped && stopped->opts->leave_stopped);
    EXPECT_FALSE(stopped->opts->has_leave_running);

    o.leave = CriuLeave::Killed;
    ReqPtr killed = decode(CriuRequest::dump(o));
    ASSERT_TRUE(killed);
    EXPECT_FALSE(killed->opts->has_leave_running);
    EXPECT_FALSE(killed->opts->has_leave_stopped);
}

TEST(CriuRequest, IncrementalDumpNamesItsParentAndTracksMemory)
{
    CriuDumpOptions o = dumpOptions();
    o.parentImages = "../pre-2";
    o.trackMemory = true;
    ReqPtr req = decode(CriuRequest::dump(o));
    ASSERT_TRUE(req);
    ASSERT_NE(req->opts->parent_img, nullptr);
    EXPECT_STREQ(req->opts->parent_img, "../pre-2");
    EXPECT_TRUE(req->opts->has_track_mem && req->opts->track_mem);
}

TEST(CriuRequest, PreDumpTracksMemoryAndDoesNotSayHowToLeave)
{
    CriuDumpOptions o = dumpOptions();
    o.preDump = true;
    o.leave = CriuLeave::Stopped; // a pre-dump always leaves the tree running
    o.notifyScripts = false;
    ReqPtr req = decode(CriuRequest::dump(o));
    ASSERT_TRUE(req);
    EXPECT_EQ(req->type, CRIU_REQ_TYPE__PRE_DUMP);
    EXPECT_TRUE(req->opts->has_track_mem && req->opts->track_mem);
    EXPECT_FALSE(req->opts->has_leave_running);
    EXPECT_FALSE(req->opts->has_leave_stopped);
    EXPECT_FALSE(req->opts->has_notify_scripts);
}

TEST(CriuRequest, RestoreIsASiblingWithRootAndCgroup)
{
    CriuRestoreOptions o;
    o.imagesDirFd = 11;
    o.workDirFd = 12;
    o.logFile = "restore-web-cp1.log";
    o.root = "/var/lib/pidvisor/containers/web/rootfs";
    o.cgroupRoot = "/pidvisor/web";
    ReqPtr req = decode(CriuRequest::restore(o));
    ASSERT_TRUE(req);
    EXPECT_EQ(req->type, CRIU_REQ_TYPE__RESTORE);
    const CriuOpts& opts = *req->opts;
    EXPECT_EQ(opts.images_dir_fd, 11);
    EXPECT_EQ(opts.work_dir_fd, 12);
    EXPECT_STREQ(opts.log_file, "restore-web-cp1.log");
    EXPECT_EQ(opts.log_level, 4);
    ASSERT_NE(opts.root, nullptr);
    EXPECT_STREQ(opts.root, "/var/lib/pidvisor/containers/web/rootfs");
    EXPECT_TRUE(opts.has_rst_sibling && opts.rst_sibling);
    EXPECT_TRUE(opts.has_notify_scripts && opts.notify_scripts);
    ASSERT_EQ(opts.n_cg_root, 1U);
    EXPECT_EQ(opts.cg_root[0]->ctrl, nullptr); // every controller
    EXPECT_STREQ(opts.cg_root[0]->path, "/pidvisor/web");
    EXPECT_FALSE(opts.has_pid);
}

TEST(CriuRequest, RestoreWithoutCgroupKeepsTheDumpedOnes)
{
    CriuRestoreOptions o;
    o.imagesDirFd = 3;
    o.workDirFd = 4;
    o.logFile = "r.log";
    o.root = "/r";
    ReqPtr req = decode(CriuRequest::restore(o));
    ASSERT_TRUE(req);
    EXPECT_EQ(req->opts->n_cg_root, 0U);
}

TEST(CriuRequest, NotifyAnswerSaysGoOnOrUndo)
{
    ReqPtr yes = decode(CriuRequest::notifyAnswer(true));
    ReqPtr no = decode(CriuRequest::notifyAnswer(false));
    ASSERT_TRUE(yes && no);
    EXPECT_EQ(yes->type, CRIU_REQ_TYPE__NOTIFY);
    EXPECT_EQ(yes->opts, nullptr);
    EXPECT_TRUE(yes->has_notify_success && yes->notify_success);
    EXPECT_TRUE(no->has_notify_success);
    EXPECT_FALSE(no->notify_success);
}

TEST(CriuRequest, MovedRequestStillPacksTheSameBytes)
{
    CriuRestoreOptions o;
    o.imagesDirFd = 3;
    o.workDirFd = 4;
    o.logFile = "r.log";
    o.root = "/r";
    o.cgroupRoot = "/pidvisor/x";
    CriuRequest first = CriuRequest::restore(o);
    std::string before = first.pack();
    CriuRequest moved = std::move(first);
    EXPECT_EQ(moved.pack(), before);
    ReqPtr req = decode(moved);
    ASSERT_TRUE(req);
    EXPECT_STREQ(req->opts->cg_root[0]->path, "/pidvisor/x");
}

TEST(CriuResponse, UnpacksCriusAnswerAndRefusesGarbage)
{
    CriuRestoreResp restored = CRIU_RESTORE_RESP__INIT;
    restored.pid = 977;
    CriuResp resp = CRIU_RESP__INIT;
    resp.type = CRIU_REQ_TYPE__RESTORE;
    resp.success = true;
    resp.restore = &restored;
    std::string bytes(criu_resp__get_packed_size(&resp), '\0');
    criu_resp__pack(&resp, reinterpret_cast<std::uint8_t*>(bytes.data()));
    CriuRespPtr back = unpackCriuResp(bytes.data(), bytes.size());
    ASSERT_TRUE(back);
    ASSERT_NE(back->restore, nullptr);
    EXPECT_EQ(back->restore->pid, 977);

    std::string garbage = "\xff\xff\xff\xff";
    EXPECT_FALSE(unpackCriuResp(garbage.data(), garbage.size()));
}

} // namespace
} // namespace pidvisor::agent
