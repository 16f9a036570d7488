// pidvisor-gui: the desktop front end. Everything lives in pidvisor_gui.
#include "app/GuiApp.h"

int main(int argc, char** argv)
{
    return pidvisor::gui::runGui(argc, argv);
}
