// Dispatcher: the checkpoint commands (protocol version 2).
#include "Dispatcher.h"

#include "protocol/Args.h"
#include "protocol/Commands.h"
#include "protocol/CheckpointFiles.h"
#include "protocol/Names.h"

#include <fstream>

namespace pidvisor::agent {

using nlohmann::json;
using protocol::Args;
namespace cmd = protocol::cmd;

namespace {

Result<std::string> checkpointId(const Args& args, bool required)
{
    PV_TRY(auto id, args.optionalString("id"));
    if (!id) {
        if (required)
            return fail(ErrorCode::InvalidArgument, "argument 'id' is missing");
        return std::string();
    }
    PV_TRY_STATUS(protocol::validateName("checkpoint id", *id));
    return *id;
}

Result<CheckpointRequest> parseCheckpoint(const Args& args)
{
    CheckpointRequest r;
    PV_TRY(r.container, args.requiredString("name"));
    PV_TRY_STATUS(protocol::validateName("container name", r.container));
    PV_TRY(r.id, checkpointId(args, false));
    PV_TRY(auto kind, args.optionalString("kind"));
    r.kind = kind.value_or("dump");
    if (r.kind != "dump" && r.kind != "pre-dump")
        return fail(ErrorCode::InvalidArgument, "argument 'kind' must be dump or pre-dump");
    PV_TRY(auto round, args.optionalInteger("round", 1, 100));
    r.round = static_cast<int>(round.value_or(1));
    PV_TRY(auto parent, args.optionalString("parent"));
    r.parent = parent.value_or("");
    if (!r.parent.empty() && r.parent.rfind("pre-", 0) != 0)
        return fail(ErrorCode::InvalidArgument, "argument 'parent' must name a pre-dump round (pre-N)");
    if (!r.parent.empty())
        PV_TRY_STATUS(protocol::validateName("parent", r.parent));
    PV_TRY(auto after, args.optionalString("after"));
    r.after = after.value_or("kill");
    if (r.after != "kill" && r.after != "run" && r.after != "stop")
        return fail(ErrorCode::InvalidArgument, "argument 'after' must be kill, run or stop");
    PV_TRY(auto tag, args.optionalString("tag"));
    r.tag = tag.value_or("");
    if (r.tag.size() > 128)
        return fail(ErrorCode::InvalidArgument, "argument 'tag' exceeds 128 bytes");
    if (r.kind == "pre-dump" && r.id.empty())
        return fail(ErrorCode::InvalidArgument, "a pre-dump needs the checkpoint id of its migration");
    return r;
}

} // namespace

void Dispatcher::addCheckpointCommands()
{
    add(cmd::ContainerCheckpoint, [this](const json& a, RequestContext& ctx) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name", "id", "kind", "round", "parent", "after", "tag"}));
        PV_TRY(CheckpointRequest r, parseCheckpoint(args));
        PV_TRY(json manifest, m_checkpoints.checkpoint(r, ctx));
        return Reply{manifest, {}};
    });
    add(cmd::ContainerRestore, [this](const json& a, RequestContext& ctx) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"id", "name"}));
        PV_TRY(std::string id, checkpointId(args, true));
        PV_TRY(auto name, args.optionalString("name"));
        if (name)
            PV_TRY_STATUS(protocol::validateName("container name", *name));
        PV_TRY(json info, m_checkpoints.restore(id, name.value_or(""), ctx));
        return Reply{info, {}};
    });
    add(cmd::ContainerResume, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name"}));
        PV_TRY(std::string name, args.requiredString("name"));
        PV_TRY_STATUS(protocol::validateName("container name", name));
        PV_TRY_STATUS(m_containers.resume(name));
        return Reply{{{"name", name}, {"resumed", true}}, {}};
    });
    add(cmd::CheckpointList, [this](const json& a, RequestContext&) -> Result<Reply> {
        PV_TRY_STATUS(Args(a).onlyKnown({}));
        PV_TRY(json list, m_checkpoints.list());
        return Reply{{{"checkpoints", list}}, {}};
    });
    add(cmd::CheckpointRead, [this](const json& a, RequestContext& ctx) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"id", "paths"}));
        PV_TRY(std::string id, checkpointId(args, true));
        PV_TRY(auto paths, args.stringList("paths", protocol::ListLimits{100000, 16 << 20, true}));
        PV_TRY(json r, m_checkpoints.read(id, paths, ctx));
        return Reply{r, {}};
    });
    add(cmd::CheckpointWrite, [this](const json& a, RequestContext& ctx) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"id", "manifest", "files", "final"}));
        PV_TRY(std::string id, checkpointId(args, true));
        if (!a.contains("manifest") || !a["manifest"].is_object())
            return fail(ErrorCode::InvalidArgument, "argument 'manifest' must be an object");
        PV_TRY(auto only, args.stringList("files", protocol::ListLimits{100000, 16 << 20, true}));
        PV_TRY(bool final, args.optionalBool("final", true));
        PV_TRY(json r, m_checkpoints.write(id, a["manifest"], only, final, ctx));
        return Reply{r, {}};
    });
    add(cmd::CheckpointCommit, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"id"}));
        PV_TRY(std::string id, checkpointId(args, true));
        PV_TRY(json r, m_checkpoints.commit(id));
        return Reply{r, {}};
    });
    add(cmd::DebugRawRead, [this](const json& a, RequestContext& ctx) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"id", "path"}));
        PV_TRY(std::string id, checkpointId(args, true));
        PV_TRY(std::string path, args.requiredString("path"));
        PV_TRY_STATUS(protocol::validateCheckpointPath(path));
        std::string file = m_checkpoints.directory(id) + "/" + path;
        std::ifstream in(file, std::ios::binary | std::ios::ate);
        if (!in)
            return fail(ErrorCode::NotFound, "checkpoint '" + id + "' has no file " + path);
        auto size = static_cast<std::uint64_t>(in.tellg());
        in.seekg(0);
        // A progress frame announces the raw bytes that follow it.
        ctx.progress("raw", 0, size);
        std::string buf(1 << 20, '\0');
        for (std::uint64_t left = size; left > 0;) {
            auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
            in.read(buf.data(), static_cast<std::streamsize>(n));
            PV_TRY_STATUS(ctx.sendRaw(std::string_view(buf.data(), n)));
            left -= n;
        }
        return Reply{{{"id", id}, {"path", path}, {"bytes", size}}, {}};
    });
    add(cmd::CheckpointDelete, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"id"}));
        PV_TRY(std::string id, checkpointId(args, true));
        PV_TRY_STATUS(m_checkpoints.remove(id));
        return Reply{{{"id", id}, {"removed", true}}, {}};
    });
}

} // namespace pidvisor::agent
