#include "OperationScope.h"

namespace pidvisor::manager {

OperationScope::OperationScope(Inventory& inventory, std::string kind, std::string target, nlohmann::json details)
    : m_inventory(inventory), m_details(details.is_object() ? std::move(details) : nlohmann::json::object())
{
    if (auto id = m_inventory.beginOperation(kind, target, m_details.dump()))
        m_id = *id;
}

OperationScope::~OperationScope()
{
    if (!m_ended)
        end(Status(tl::unexpected<Error>(Error{ErrorCode::Internal, "the operation ended without a result"})));
}

void OperationScope::end(const Status& status)
{
    m_ended = true;
    if (m_id)
        (void)m_inventory.endOperation(*m_id, status, m_details.dump());
}

} // namespace pidvisor::manager
