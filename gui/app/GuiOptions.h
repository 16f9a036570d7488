// GuiOptions: pidvisor-gui's command line. --db and --connect mean what
// they mean for the `pidvisor` CLI (same defaults: the XDG inventory and
// qemu:///system); --screenshot FILE renders the window to a PNG and
// exits (offline, from the inventory alone, unless --connect is given).
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

namespace pidvisor::gui {

struct GuiOptions {
    QString db;          // the inventory file
    QStringList connect; // libvirt URIs
    bool connectGiven = false;
    bool offline = false;
    QString screenshot; // PNG to write, then exit
    QSize size{1280, 820};
    int pollMs = 3000;

    // Parses the application's arguments; on error returns the message.
    [[nodiscard]] static std::optional<GuiOptions> parse(const QStringList& arguments, QString* error);
};

} // namespace pidvisor::gui
