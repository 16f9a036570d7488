// OperationSpec: one long piece of work the GUI starts (create a VM, run a
// command, checkpoint...), described so OperationRunner can run it on a
// worker thread: its name and target for the operations panel, the VMs it
// holds (exclusively for lifecycle work), whether it can be cancelled, the
// body that calls the manager, and what to do with the result on the UI
// thread.
#pragma once

#include "core/Progress.h"
#include "host/Host.h"

#include <QString>

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>

namespace pidvisor::gui {

struct OperationContext {
    std::shared_ptr<manager::Host> session; // null for work that needs no connection
    manager::ProgressFn progress;         // callable from the worker thread
    std::shared_ptr<std::atomic<bool>> cancel; // the manager's CancelFlag
};

struct OperationResult {
    QString summary;     // "VM 'demo' is ready in 8.1 s"
    nlohmann::json data; // what onSuccess needs (an exec's output)
};

struct OperationSpec {
    QString kind;   // the audit log's words: "vm.create"
    QString target; // "demo" or "demo/web"
    QString hostUri; // empty: no session needed
    std::vector<std::string> exclusiveVms, sharedVms;
    bool cancellable = false;
    QString logPath; // shown with errors: the VM's console log
    std::function<Result<OperationResult>(OperationContext&)> body;
    std::function<void(const OperationResult&)> onSuccess; // on the UI thread
    std::function<void(const Error&)> onFailure;           // on the UI thread

    // A spec with its audit-log kind, host and target; the rest is filled in.
    static OperationSpec named(const char* kind, const QString& hostUri, const QString& target)
    {
        OperationSpec spec;
        spec.kind = kind;
        spec.hostUri = hostUri;
        spec.target = target;
        return spec;
    }
};

} // namespace pidvisor::gui
