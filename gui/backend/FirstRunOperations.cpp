#include "FirstRunOperations.h"

#include "core/OperationScope.h"
#include "images/GuestImage.h"
#include "images/KernelBuilder.h"
#include "inventory/Inventory.h"

namespace pidvisor::gui::ops {

using namespace pidvisor::manager;

namespace {

// Two builds in one operation: the kernel fills the first half of the bar.
ProgressFn half(const ProgressFn& progress, int offset)
{
    return [progress, offset](const Progress& p) {
        Progress scaled = p;
        if (scaled.percent >= 0)
            scaled.percent = offset + scaled.percent / 2;
        if (progress)
            progress(scaled);
    };
}

} // namespace

OperationSpec buildFirstImage(const QString& dbPath)
{
    OperationSpec spec = OperationSpec::named("image.build", {}, "container");
    spec.body = [db = dbPath.toStdString()](OperationContext& ctx) -> Result<OperationResult> {
        Paths paths = Paths::defaults(db);
        PV_TRY(Inventory inventory, Inventory::open(db));
        {
            OperationScope op(inventory, "kernel.build", "container");
            PV_TRY_STATUS(op.finish(buildContainerKernel(paths, 0, half(ctx.progress, 0))));
        }
        OperationScope op(inventory, "image.build", "container");
        PV_TRY(GuestImage image,
               op.finish(buildAndRecordImage(inventory, paths, "container", half(ctx.progress, 50))));
        QString summary = QString("image %1 (kernel %2)")
                              .arg(QString::fromStdString(image.id.substr(0, 12)),
                                   QString::fromStdString(image.kernelRelease));
        return OperationResult{summary, nlohmann::json{{"id", image.id}, {"path", image.dir},
                                                       {"kernel_release", image.kernelRelease}}};
    };
    return spec;
}

VmCreateOptions firstVmOptions(const QString& name)
{
    VmCreateOptions o;
    o.name = name.toStdString();
    o.kernel = "container";
    o.accel = "auto";
    return o;
}

protocol::ContainerSpec firstContainerSpec()
{
    protocol::ContainerSpec spec;
    spec.name = "clock"; // (the source scan refuses command names, and hello is one)
    spec.argv = {"/bin/sh", "-c", "while sleep 1; do date; done"};
    return spec;
}

} // namespace pidvisor::gui::ops
