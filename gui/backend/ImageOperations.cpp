#include "ImageOperations.h"

#include "core/OperationScope.h"
#include "images/ImageService.h"
#include "inventory/Inventory.h"
#include "models/Format.h"

#include <QFileInfo>

namespace pidvisor::gui::ops {

using namespace pidvisor::manager;

namespace {

// "image NAME (sha256:..., SIZE)", and the image's name and digest.
OperationResult imageResult(const ContainerImageRecord& image)
{
    QString summary = QString("image %1 (%2, %3)")
                          .arg(QString::fromStdString(image.info.name),
                               QString::fromStdString(image.info.digest.substr(0, 19)), format::bytes(image.info.size));
    return OperationResult{summary, nlohmann::json{{"name", image.info.name}, {"digest", image.info.digest}}};
}

} // namespace

OperationSpec importImage(const QString& dbPath, const QString& file, const QString& name)
{
    OperationSpec spec = OperationSpec::named("image.import", {}, QFileInfo(file).fileName());
    spec.body = [db = dbPath.toStdString(), path = file.toStdString(),
                 wanted = name.toStdString()](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY(Inventory inventory, Inventory::open(db));
        ImageService images(inventory, Paths::defaults(db));
        OperationScope op(inventory, "image.import", path);
        std::optional<std::string> chosen;
        if (!wanted.empty())
            chosen = wanted;
        PV_TRY(ContainerImageRecord image, op.finish(images.importArchive(path, chosen, ctx.progress)));
        return imageResult(image);
    };
    return spec;
}

OperationSpec createImage(const QString& dbPath, const DebianImageRequest& request)
{
    OperationSpec spec = OperationSpec::named("image.create", {}, QString::fromStdString(request.name));
    spec.body = [db = dbPath.toStdString(), request](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY(Inventory inventory, Inventory::open(db));
        ImageService images(inventory, Paths::defaults(db));
        OperationScope op(inventory, "image.create", request.name);
        PV_TRY(ContainerImageRecord image, op.finish(images.createFromPackages(request, ctx.progress)));
        return imageResult(image);
    };
    return spec;
}

OperationSpec deleteImage(const QString& dbPath, const QString& name)
{
    OperationSpec spec = OperationSpec::named("image.rm", {}, name);
    spec.body = [db = dbPath.toStdString(), image = name.toStdString()](OperationContext&) -> Result<OperationResult> {
        PV_TRY(Inventory inventory, Inventory::open(db));
        ImageService images(inventory, Paths::defaults(db));
        OperationScope op(inventory, "image.rm", image);
        PV_TRY_STATUS(op.finish(images.remove(image)));
        return OperationResult{"deleted", {}};
    };
    return spec;
}

} // namespace pidvisor::gui::ops
