#include "GuiOptions.h"

#include "inventory/Inventory.h"

#include <QCommandLineParser>

namespace pidvisor::gui {

std::optional<GuiOptions> GuiOptions::parse(const QStringList& arguments, QString* error)
{
    QCommandLineParser p;
    p.setApplicationDescription("Pidvisor: checkpointable containers inside virtual machines");
    p.addHelpOption();
    p.addVersionOption();
    QCommandLineOption db("db", "Inventory file (default: $XDG_DATA_HOME/pidvisor/inventory.db).", "PATH");
    QCommandLineOption connect("connect", "libvirt URI to connect to (repeatable; default qemu:///system).", "URI");
    QCommandLineOption offline("offline", "Show the inventory only; connect to nothing.");
    QCommandLineOption screenshot("screenshot", "Render the window to a PNG file and exit.", "FILE");
    QCommandLineOption size("size", "Window size for --screenshot (default 1280x820).", "WxH");
    QCommandLineOption poll("poll-ms", "How often to ask libvirt and the agents (default 3000).", "MS");
    p.addOptions({db, connect, offline, screenshot, size, poll});
    if (!p.parse(arguments)) {
        *error = p.errorText();
        return std::nullopt;
    }
    if (p.isSet("help") || p.isSet("version")) {
        p.process(arguments); // prints and exits
    }
    GuiOptions o;
    o.db = p.isSet(db) ? p.value(db) : QString::fromStdString(manager::defaultInventoryPath());
    o.connectGiven = p.isSet(connect);
    o.connect = o.connectGiven ? p.values(connect) : QStringList{"qemu:///system"};
    o.screenshot = p.value(screenshot);
    o.offline = p.isSet(offline) || (!o.screenshot.isEmpty() && !o.connectGiven);
    if (p.isSet(size)) {
        QStringList wh = p.value(size).split('x');
        if (wh.size() != 2 || wh[0].toInt() < 200 || wh[1].toInt() < 200) {
            *error = "--size takes WIDTHxHEIGHT, e.g. 1280x820";
            return std::nullopt;
        }
        o.size = QSize(wh[0].toInt(), wh[1].toInt());
    }
    if (p.isSet(poll))
        o.pollMs = std::max(500, p.value(poll).toInt());
    return o;
}

} // namespace pidvisor::gui
