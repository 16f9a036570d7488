// Limits: every bound the agent puts on what its peers may make it hold,
// in one place. PROTOCOL.md ("Limits") documents them and `hello` reports
// them (HelloResult.limits), so a client can stay within them.
//
// The protocol's own limits (frame header and payload size, JSON nesting
// depth and value count) are in protocol/Frame.h: both sides enforce them.
#pragma once

#include "protocol/Frame.h"
#include "protocol/Types.h"

#include <chrono>
#include <cstddef>

namespace pidvisor::agent {

// Clients of the unix socket served at once (one thread each). At the cap
// a new client takes the place of the longest idle one (no request in
// flight, no frame half-received); when none is idle it is refused.
inline constexpr int kMaxConnections = 256;
// Requests being handled (one thread each), per connection and in all.
inline constexpr int kMaxInFlightPerConnection = 64;
inline constexpr int kMaxInFlightTotal = 256;
// Bytes of frames received but not yet handled: the frame being read plus
// the data frames queued for the requests of one connection (the reader
// waits while they would exceed it), and in all (beyond it the frame is
// refused). A whole frame of the largest size must fit.
inline constexpr std::size_t kMaxBufferedPerConnection = 16U << 20;
static_assert(kMaxBufferedPerConnection >=
              protocol::kFramePrefixSize + protocol::kMaxHeaderSize + protocol::kMaxPayloadSize + (64U << 10));
inline constexpr std::size_t kMaxBufferedTotal = 64U << 20;
// The first bytes a connection holds do not count towards the total, so a
// small request (a hello) is read even while the total is used up.
inline constexpr std::size_t kUncountedPerConnection = 64U << 10;
// A frame must be complete this long after its first byte arrived, however
// the bytes trickle in; otherwise it is dropped with a ProtocolError.
inline constexpr std::chrono::milliseconds kFrameDeadline{10000};

// The limits as `hello` reports them.
[[nodiscard]] inline protocol::AgentLimits agentLimits()
{
    protocol::AgentLimits l;
    l.maxConnections = kMaxConnections;
    l.maxInFlightPerConnection = kMaxInFlightPerConnection;
    l.maxInFlightTotal = kMaxInFlightTotal;
    l.maxBufferedBytesPerConnection = static_cast<std::int64_t>(kMaxBufferedPerConnection);
    l.maxBufferedBytesTotal = static_cast<std::int64_t>(kMaxBufferedTotal);
    l.uncountedBytesPerConnection = static_cast<std::int64_t>(kUncountedPerConnection);
    l.frameDeadlineMs = kFrameDeadline.count();
    l.maxHeaderBytes = protocol::kMaxHeaderSize;
    l.maxPayloadBytes = protocol::kMaxPayloadSize;
    l.maxJsonDepth = static_cast<std::int64_t>(protocol::kMaxJsonDepth);
    l.maxJsonValues = static_cast<std::int64_t>(protocol::kMaxJsonElements);
    return l;
}

} // namespace pidvisor::agent
