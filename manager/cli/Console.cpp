// The interactive serial console of a VM: the terminal in raw mode, bytes
// both ways over a libvirt console stream, Ctrl-] to leave.
#include "Commands.h"

#include "agent/AgentTransport.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace pidvisor::manager {

namespace {

// Restores the terminal however the console ends.
class RawTerminal {
public:
    RawTerminal()
    {
        if (::tcgetattr(0, &m_saved) == 0) {
            termios raw = m_saved;
            ::cfmakeraw(&raw);
            m_active = ::tcsetattr(0, TCSANOW, &raw) == 0;
        }
    }
    ~RawTerminal()
    {
        if (m_active)
            ::tcsetattr(0, TCSANOW, &m_saved);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    termios m_saved{};
    bool m_active = false;
};

} // namespace

int attachConsole(Connection& conn, const std::string& vm)
{
    auto transport = openStreamTransport(conn, vm, {}, true);
    if (!transport) {
        std::cerr << "pidvisor: " << transport.error().describe() << "\n";
        return 1;
    }
    std::cerr << "Connected to the console of VM '" << vm << "'. Leave with Ctrl-]\r\n";
    RawTerminal terminal;
    constexpr char kEscape = 0x1d;
    for (;;) {
        auto out = (*transport)->read(std::chrono::milliseconds(20));
        if (!out) {
            std::cerr << "\r\npidvisor: " << out.error().message << "\r\n";
            return 1;
        }
        if (!out->empty())
            (void)!::write(1, out->data(), out->size());
        pollfd p{0, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0)
            continue;
        char buf[256];
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n <= 0)
            return 0;
        std::string_view in(buf, static_cast<std::size_t>(n));
        if (auto esc = in.find(kEscape); esc != std::string_view::npos) {
            (void)(*transport)->write(in.substr(0, esc));
            std::cerr << "\r\n";
            return 0;
        }
        if (auto w = (*transport)->write(in); !w)
            return 1;
    }
}

} // namespace pidvisor::manager
