#include "States.h"

#include <array>
#include <utility>

namespace pidvisor::manager {

namespace {
constexpr std::array<std::pair<VmState, std::string_view>, 8> kVmWords{{{VmState::NoState, "no state"},
                                                                      {VmState::Running, "running"},
                                                                      {VmState::Idle, "idle"},
                                                                      {VmState::Paused, "paused"},
                                                                      {VmState::InShutdown, "in shutdown"},
                                                                      {VmState::ShutOff, "shut off"},
                                                                      {VmState::Crashed, "crashed"},
                                                                      {VmState::Suspended, "pmsuspended"}}};
constexpr std::array<std::pair<OperationOutcome, std::string_view>, 4> kOutcomeWords{
    {{OperationOutcome::Running, "running"},
     {OperationOutcome::Ok, "ok"},
     {OperationOutcome::Error, "error"},
     {OperationOutcome::Cancelled, "cancelled"}}};

template <class E, std::size_t N>
E fromWord(const std::array<std::pair<E, std::string_view>, N>& words, std::string_view text, E otherwise)
{
    for (const auto& [value, word] : words)
        if (word == text)
            return value;
    return otherwise;
}

template <class E, std::size_t N>
std::string toWord(const std::array<std::pair<E, std::string_view>, N>& words, E value)
{
    for (const auto& [v, word] : words)
        if (v == value)
            return std::string(word);
    return std::string(words.front().second);
}
} // namespace

VmState vmState(std::string_view text)
{
    return fromWord(kVmWords, text, VmState::NoState);
}

std::string vmStateText(VmState state)
{
    return toWord(kVmWords, state);
}

ContainerState containerState(std::string_view text)
{
    return protocol::enumFromWord<ContainerState>(text).value_or(ContainerState::Stopped);
}

std::string containerStateText(ContainerState state)
{
    return std::string(protocol::enumWord(state));
}

OperationOutcome operationOutcome(std::string_view text)
{
    return fromWord(kOutcomeWords, text, OperationOutcome::Error);
}

std::string operationOutcomeText(OperationOutcome outcome)
{
    return toWord(kOutcomeWords, outcome);
}

} // namespace pidvisor::manager
