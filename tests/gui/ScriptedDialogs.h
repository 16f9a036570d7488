// ScriptedDialogs: the DialogProvider of tests: each question takes the
// next prepared answer (none: the dialog was cancelled), and every question
// asked is recorded, so flows run without anyone clicking.
#pragma once

#include "dialogs/DialogProvider.h"

#include <deque>

namespace pidvisor::gui::test {

class ScriptedDialogs : public DialogProvider {
public:
    std::deque<QString> connections;
    std::deque<NewVmRequest> newVms;
    std::deque<NewContainerRequest> newContainers;
    std::deque<QStringList> execCommands;
    std::deque<CheckpointRequest> checkpoints;
    std::deque<RestoreRequest> restores;
    std::deque<MigrateRequest> migrations;
    std::deque<ImageImportRequest> imageImports;
    std::deque<ImageCreateRequest> imageCreates;
    std::vector<protocol::ImageInfo> offeredImages; // what the last New Container was offered
    bool confirmAnswer = true;
    QStringList asked;       // "newVm", "confirm: Delete VM", ...
    QStringList messages;    // showMessage texts
    std::vector<ExecOutcome> execOutcomes;

    std::optional<QString> askConnection(QWidget*) override { return next(connections, "connection"); }
    std::optional<NewVmRequest> askNewVm(QWidget*, const QStringList&, const QString&) override
    {
        return next(newVms, "newVm");
    }
    std::optional<NewContainerRequest> askNewContainer(QWidget*, const VmChoice&,
                                                       const std::vector<protocol::ImageInfo>& images) override
    {
        offeredImages = images;
        return next(newContainers, "newContainer");
    }
    void runExec(QWidget*, const QString&, ExecRunner run) override
    {
        asked << "exec";
        while (!execCommands.empty()) {
            QStringList argv = execCommands.front();
            execCommands.pop_front();
            run(argv, [this](const ExecOutcome& o) { execOutcomes.push_back(o); });
        }
    }
    std::optional<CheckpointRequest> askCheckpoint(QWidget*, const QString&) override
    {
        return next(checkpoints, "checkpoint");
    }
    std::optional<RestoreRequest> askRestore(QWidget*, const manager::CheckpointRecord&,
                                             const std::vector<VmChoice>&) override
    {
        return next(restores, "restore");
    }
    std::optional<MigrateRequest> askMigrate(QWidget*, const QString&, const std::vector<VmChoice>&,
                                             const std::optional<VmChoice>& preselected) override
    {
        auto r = next(migrations, "migrate");
        if (r && r->target.name.isEmpty() && preselected)
            r->target = *preselected;
        return r;
    }
    std::optional<ImageImportRequest> askImportImage(QWidget*) override
    {
        return next(imageImports, "importImage");
    }
    std::optional<ImageCreateRequest> askCreateImage(QWidget*) override
    {
        return next(imageCreates, "createImage");
    }
    bool confirm(QWidget*, const QString& title, const QString&) override
    {
        asked << "confirm: " + title;
        return confirmAnswer;
    }
    void showAbout(QWidget*, const AboutInfo&) override { asked << "about"; }
    void showMessage(QWidget*, const QString&, const QString& text) override { messages << text; }

private:
    template <class T>
    std::optional<T> next(std::deque<T>& queue, const char* what)
    {
        asked << what;
        if (queue.empty())
            return std::nullopt;
        T value = queue.front();
        queue.pop_front();
        return value;
    }
};

} // namespace pidvisor::gui::test
