// Elapsed time in whole milliseconds, as every duration the protocol
// reports (manifests, transfers, migrations) is measured.
#pragma once

#include <chrono>
#include <cstdint>

namespace pidvisor::protocol {

[[nodiscard]] inline std::int64_t millisSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

} // namespace pidvisor::protocol
