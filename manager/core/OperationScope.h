// OperationScope: one entry of the inventory's audit log for the life of
// an operation. Begins when made; finish() records the outcome; a scope
// left without finish() (an exception, an early return) records an error.
// The log itself failing never fails the operation.
//
//   OperationScope op(inventory, "vm.create", name);
//   return op.finish(createTheVm());
#pragma once

#include "inventory/Inventory.h"

#include <nlohmann/json.hpp>

#include <optional>

namespace pidvisor::manager {

class OperationScope {
public:
    OperationScope(Inventory& inventory, std::string kind, std::string target, nlohmann::json details = {});
    ~OperationScope();
    OperationScope(const OperationScope&) = delete;
    OperationScope& operator=(const OperationScope&) = delete;

    void addDetail(const std::string& key, nlohmann::json value) { m_details[key] = std::move(value); }

    template <class T>
    T finish(T result)
    {
        Status status = result ? Status{} : Status(tl::unexpected<Error>(result.error()));
        end(status);
        return result;
    }

private:
    void end(const Status& status);

    Inventory& m_inventory;
    std::optional<std::int64_t> m_id;
    nlohmann::json m_details;
    bool m_ended = false;
};

} // namespace pidvisor::manager
