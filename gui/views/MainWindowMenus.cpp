// MainWindow: the menu bar and the tool bar, both made of the
// ActionController's actions (so shortcuts and enabling are shared).
#include "MainWindow.h"

#include "ActionController.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QToolBar>

namespace pidvisor::gui {

void MainWindow::buildMenus()
{
    using A = ActionController;
    auto add = [this](QMenu* menu, std::initializer_list<int> ids) {
        for (int id : ids) {
            if (id < 0)
                menu->addSeparator();
            else
                menu->addAction(m_actions->action(static_cast<A::Id>(id)));
        }
    };
    add(menuBar()->addMenu("&File"), {A::AddConnection, A::Refresh, A::FocusFilter, -1, A::Quit});
    add(menuBar()->addMenu("&VM"), {A::NewVm, -1, A::StartVm, A::StopVm, A::DestroyVm, -1, A::DeleteVm});
    add(menuBar()->addMenu("&Container"),
        {A::NewContainer, A::Exec, -1, A::Checkpoint, A::Migrate, -1, A::StopContainer, A::KillContainer,
         A::DeleteContainer});
    add(menuBar()->addMenu("Check&point"), {A::Restore, A::VerifyCheckpoint, A::DeleteCheckpoint});
    add(menuBar()->addMenu("&Operations"), {A::CancelOperation});
    QMenu* help = menuBar()->addMenu("&Help");
    QAction* firstRun = help->addAction("&First-run checks");
    firstRun->setObjectName("showFirstRun");
    firstRun->setStatusTip("Check this machine, build the guest image, create a first VM");
    connect(firstRun, &QAction::triggered, this, [this] { showFirstRun(true); });
    add(help, {A::About});
}

void MainWindow::buildToolBar()
{
    using A = ActionController;
    QToolBar* bar = addToolBar("Actions");
    bar->setObjectName("actions");
    bar->setMovable(false);
    // Icons from the desktop theme beside the text; text alone without a theme.
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (int id : std::initializer_list<int>{A::AddConnection, -1, A::NewVm, A::StartVm, A::StopVm, -1, A::NewContainer, A::Exec, -1,
                   A::Checkpoint, A::Restore, A::Migrate, -1, A::Refresh}) {
        if (id < 0)
            bar->addSeparator();
        else
            bar->addAction(m_actions->action(static_cast<A::Id>(id)));
    }
}

} // namespace pidvisor::gui
