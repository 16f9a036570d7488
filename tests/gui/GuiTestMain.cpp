// gui_tests: runs the registered QTest classes under the offscreen platform.
#include "GuiTests.h"

#include "backend/Snapshot.h"

#include <QApplication>
#include <QStandardPaths>
#include <QTest>

#include <cstdio>

namespace pidvisor::gui::test {

std::map<std::string, TestFactory>& testRegistry()
{
    static std::map<std::string, TestFactory> registry;
    return registry;
}

} // namespace pidvisor::gui::test

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName("PidvisorTest");
    QApplication::setApplicationName("gui_tests");
    QStandardPaths::setTestModeEnabled(true); // QSettings away from the user's
    qRegisterMetaType<pidvisor::gui::SnapshotPtr>("pidvisor::gui::SnapshotPtr");
    auto& registry = pidvisor::gui::test::testRegistry();
    QStringList args = QApplication::arguments();
    if (args.size() > 1 && registry.count(args[1].toStdString())) {
        auto test = registry[args[1].toStdString()]();
        args.removeAt(1);
        return QTest::qExec(test.get(), args);
    }
    int failed = 0;
    for (auto& [name, factory] : registry) {
        auto test = factory();
        failed += QTest::qExec(test.get(), args) != 0;
    }
    return failed;
}
