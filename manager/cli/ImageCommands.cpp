// `pidvisor image ...`: the host's container images (ImageService.h).
// `pidvisor guest-image ...` (MiscCommands.cpp) is the VMs' own image.
#include "Commands.h"

#include "core/OperationScope.h"
#include "images/ImageService.h"
#include "protocol/ObjectText.h"
#include "protocol/Schema.h"
#include "protocol/TextTable.h"

namespace pidvisor::manager {

using nlohmann::json;

namespace {

json imageJson(const ContainerImageRecord& image)
{
    json j = protocol::encode(image.info);
    j["volume_file"] = image.volumeFile;
    j["volume_bytes"] = image.volumeBytes;
    j["created_at"] = image.createdAt;
    return j;
}

// "image NAME (sha256:..., SIZE of files, SIZE volume)": what a new image is.
std::string imageSummary(const ContainerImageRecord& image)
{
    return "image " + image.info.name + " (" + image.info.digest.substr(0, 19) + ", " +
           protocol::formatBytes(image.info.size) + " of files, " + protocol::formatBytes(image.volumeBytes) +
           " volume)";
}

} // namespace

void addImageCommands(CLI::App& app, CliContext& ctx)
{
    auto* image = app.add_subcommand("image", "Container images (from Debian packages, OCI and docker archives)");
    image->require_subcommand(1);

    struct ImportArgs {
        std::string file;
        std::string name;
    };
    auto importArgs = std::make_shared<ImportArgs>();
    auto* import = image->add_subcommand(
        "import", "Import an image archive (podman save, docker save, skopeo oci-archive:) as a container image");
    import->add_option("archive", importArgs->file, "The archive (.tar, .tar.gz)")->required();
    import->add_option("--name", importArgs->name, "Its name (default: the archive's tag, else its file name)");
    import->callback([&ctx, importArgs] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            ImageService images(*inv, Paths::defaults(ctx.options().db));
            OperationScope op(*inv, "image.import", importArgs->file);
            std::optional<std::string> name;
            if (!importArgs->name.empty())
                name = importArgs->name;
            PV_TRY(ContainerImageRecord record,
                   op.finish(images.importArchive(importArgs->file, name, ctx.progress())));
            return ctx.print(imageJson(record), imageSummary(record));
        }));
    });

    struct CreateArgs {
        std::string name;
        std::vector<std::string> packages;
        std::string base = "debian:13";
    };
    auto createArgs = std::make_shared<CreateArgs>();
    auto* create = image->add_subcommand(
        "create", "Build a container image from Debian packages (their maintainer scripts run; downloads cached)");
    create->add_option("name", createArgs->name, "The image's name")->required();
    create->add_option("--packages", createArgs->packages, "Packages to install, comma-separated (P1,P2,...)")
        ->required()
        ->delimiter(',');
    create->add_option("--base", createArgs->base, "debian:13 (the default) or debian:12");
    create->callback([&ctx, createArgs] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            ImageService images(*inv, Paths::defaults(ctx.options().db));
            OperationScope op(*inv, "image.create", createArgs->name);
            DebianImageRequest request{createArgs->name, createArgs->packages, createArgs->base};
            PV_TRY(ContainerImageRecord record, op.finish(images.createFromPackages(request, ctx.progress())));
            return ctx.print(imageJson(record), imageSummary(record));
        }));
    });

    image->add_subcommand("list", "List the container images")->callback([&ctx] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            ImageService images(*inv, Paths::defaults(ctx.options().db));
            PV_TRY(auto all, images.list());
            json arr = json::array();
            std::vector<protocol::ImageInfo> infos;
            for (const auto& i : all) {
                arr.push_back(imageJson(i));
                infos.push_back(i.info);
            }
            return ctx.print(arr, all.empty() ? std::string("no container images (pidvisor image create NAME --packages P1,P2 or pidvisor image import ARCHIVE)\n")
                                              : protocol::imageTable(infos));
        }));
    });

    auto ref = std::make_shared<std::string>();
    auto* show = image->add_subcommand("show", "One container image in full");
    show->add_option("image", *ref, "Its name or digest (a prefix of 12 or more hex digits is enough)")->required();
    show->callback([&ctx, ref] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            ImageService images(*inv, Paths::defaults(ctx.options().db));
            PV_TRY(ContainerImageRecord record, images.find(*ref));
            return ctx.print(imageJson(record), protocol::imageDetails(record.info) + "volume:      " +
                                                    record.volumeFile + " (" +
                                                    protocol::formatBytes(record.volumeBytes) + ")\n");
        }));
    });

    auto rmRef = std::make_shared<std::string>();
    auto* rm = image->add_subcommand("rm", "Remove a container image and its volume");
    rm->add_option("image", *rmRef, "Its name or digest")->required();
    rm->callback([&ctx, rmRef] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(Inventory * inv, ctx.inventory());
            ImageService images(*inv, Paths::defaults(ctx.options().db));
            PV_TRY(ContainerImageRecord record, images.find(*rmRef));
            OperationScope op(*inv, "image.rm", record.info.name);
            PV_TRY_STATUS(op.finish(images.remove(record.info.digest)));
            return ctx.print(json{{"removed", record.info.name}}, "removed image " + record.info.name);
        }));
    });
}

} // namespace pidvisor::manager
