// GuiTests: one executable, several QTest classes. Each class registers
// itself with PIDVISOR_GUI_TEST; `gui_tests CLASS [QTest options]` runs one
// (ctest runs each as its own test), `gui_tests` alone runs them all.
#pragma once

#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace pidvisor::gui::test {

using TestFactory = std::function<std::unique_ptr<QObject>()>;
std::map<std::string, TestFactory>& testRegistry();

struct TestRegistration {
    TestRegistration(const char* name, TestFactory factory) { testRegistry()[name] = std::move(factory); }
};

} // namespace pidvisor::gui::test

#define PIDVISOR_GUI_TEST(Class)                                                                               \
    static const ::pidvisor::gui::test::TestRegistration registration##Class(                                    \
        #Class, [] { return std::unique_ptr<QObject>(new Class); });
