// GuiApp: pidvisor-gui from start to exit: the application object, the
// command line, the backend on its thread, the window, and the screenshot
// mode. main.cpp only calls runGui().
#pragma once

namespace pidvisor::gui {

int runGui(int argc, char** argv);

} // namespace pidvisor::gui
