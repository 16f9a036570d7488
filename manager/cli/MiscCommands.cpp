#include "Commands.h"

#include "core/OperationScope.h"
#include "images/KernelBuilder.h"
#include "protocol/ObjectText.h"
#include "protocol/TextTable.h"

namespace pidvisor::manager {

using nlohmann::json;

namespace {

void addGuestImageCommands(CLI::App& app, CliContext& ctx)
{
    auto* image = app.add_subcommand("guest-image", "Guest images (the VMs' kernel and userland)");
    image->require_subcommand(1);
    auto kernel = std::make_shared<std::string>("stock");
    auto* build = image->add_subcommand("build", "Build (or find in the cache) a guest image");
    build->add_option("--kernel", *kernel, "stock, container, or a kernel file")->capture_default_str();
    build->callback([&ctx, kernel] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            OperationScope op(*inv, "image.build", *kernel);
            PV_TRY(GuestImage img, op.finish(buildAndRecordImage(*inv, Paths::defaults(ctx.options().db), *kernel,
                                                                  ctx.progress())));
            json j{{"id", img.id},          {"path", img.dir},       {"kernel_path", img.kernelPath},
                   {"initrd_path", img.initrdPath}, {"cmdline", img.cmdline}, {"kernel_release", img.kernelRelease},
                   {"manifest", img.manifest}};
            return ctx.print(j, "image " + img.id.substr(0, 12) + " (kernel " + img.kernelRelease +
                                               ", " + std::to_string(img.sizeBytes / (1024 * 1024)) + " MiB): " +
                                               img.dir);
        }));
    });
    image->add_subcommand("list", "List the guest images in the inventory")->callback([&ctx] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            PV_TRY(auto images, inv->images());
            json arr = json::array();
            TextTable t({"ID", "KERNEL", "RELEASE", "SIZE", "CREATED", "PATH"});
            for (const auto& i : images) {
                arr.push_back({{"id", i.id}, {"kernel", i.kernelKind}, {"kernel_version", i.kernelVersion},
                               {"kernel_release", i.kernelRelease}, {"path", i.path}, {"size", i.sizeBytes},
                               {"created_at", i.createdAt}});
                t.addRow({i.id.substr(0, 12), i.kernelKind, i.kernelRelease,
                          std::to_string(i.sizeBytes / (1024 * 1024)) + " MiB", protocol::formatLocalTime(i.createdAt),
                          i.path});
            }
            return ctx.print(arr, t.render());
        }));
    });
}

void addKernelCommands(CLI::App& app, CliContext& ctx)
{
    auto* kernel = app.add_subcommand("kernel", "The container kernel (Linux with /proc/container)");
    kernel->require_subcommand(1);
    auto jobs = std::make_shared<int>(0);
    auto* build = kernel->add_subcommand("build", "Build it (or find it in the cache)");
    build->add_option("--jobs,-j", *jobs, "Parallel compile jobs (default: the number of CPUs)");
    build->callback([&ctx, jobs] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            OperationScope op(*inv, "kernel.build", "container");
            PV_TRY(ContainerKernel k, op.finish(buildContainerKernel(Paths::defaults(ctx.options().db), *jobs,
                                                                     ctx.progress())));
            json j{{"path", k.dir}, {"manifest", k.manifest}};
            std::string release = k.manifest.value("kernel_release", k.manifest.value("release", ""));
            return ctx.print(j, "container kernel " + release + ": " + k.dir);
        }));
    });
}

} // namespace

void addMiscCommands(CLI::App& app, CliContext& ctx)
{
    addGuestImageCommands(app, ctx);
    addKernelCommands(app, ctx);
    auto noContainers = std::make_shared<bool>(false);
    auto* reconcile = app.add_subcommand("reconcile", "Bring the inventory in line with libvirt and the agents");
    reconcile->add_flag("--no-containers", *noContainers, "Do not ask agents for their containers");
    reconcile->callback([&ctx, noContainers] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            PV_TRY(ReconcileReport r, vms->reconcile(!*noContainers));
            std::string text = "adopted: " + std::to_string(r.adopted.size()) +
                               ", marked missing: " + std::to_string(r.missing.size()) +
                               ", updated: " + std::to_string(r.updated) +
                               ", container lists refreshed: " + std::to_string(r.refreshed.size());
            for (const auto& p : r.problems)
                text += "\n  " + p;
            return ctx.print(r.toJson(), text);
        }));
    });
    auto limit = std::make_shared<std::size_t>(50);
    auto* ops = app.add_subcommand("ops", "The audit log of operations, newest first");
    ops->add_option("--limit,-n", *limit, "How many")->capture_default_str();
    ops->callback([&ctx, limit] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            PV_TRY(auto list, inv->operations(*limit));
            json arr = json::array();
            TextTable t({"ID", "STARTED", "KIND", "TARGET", "RESULT", "TIME", "ERROR"});
            for (const auto& o : list) {
                std::string result = operationOutcomeText(o.result);
                json j{{"id", o.id}, {"kind", o.kind}, {"target", o.target}, {"started_at", o.startedAt},
                       {"result", result}, {"error_code", o.errorCode}, {"error_message", o.errorMessage},
                       {"details", json::parse(o.detailsJson, nullptr, false)}};
                j["ended_at"] = o.endedAt ? json(*o.endedAt) : json(nullptr);
                arr.push_back(j);
                std::string took = o.endedAt ? std::to_string(*o.endedAt - o.startedAt) + " ms" : "-";
                t.addRow({std::to_string(o.id), protocol::formatLocalTime(o.startedAt), o.kind, o.target, result,
                          took, o.errorMessage});
            }
            return ctx.print(arr, t.render());
        }));
    });
}

} // namespace pidvisor::manager
