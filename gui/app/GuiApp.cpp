#include "GuiApp.h"

#include "GuiOptions.h"
#include "ScreenshotTaker.h"

#include "backend/BackendThread.h"
#include "dialogs/WidgetDialogProvider.h"
#include "views/MainWindow.h"
#include "pidvisor/Version.h"

#include <QApplication>
#include <QSettings>

#include <cstdio>
#include <cstring>

namespace pidvisor::gui {

namespace {

bool wantsScreenshot(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--screenshot", 12) == 0)
            return true;
    return false;
}

Backend::Options backendOptions(const GuiOptions& o, bool remember)
{
    Backend::Options b;
    b.dbPath = o.db.toStdString();
    b.offline = o.offline;
    b.pollMs = o.pollMs;
    QStringList uris = o.connect;
    if (remember) // connections added in earlier sessions
        for (const QString& uri : QSettings().value("connections").toStringList())
            if (!uris.contains(uri))
                uris << uri;
    for (const QString& uri : uris)
        b.uris.push_back(uri.toStdString());
    return b;
}

} // namespace

int runGui(int argc, char** argv)
{
    // Screenshots are for docs and tests, --help and --version for
    // terminals: none of them needs a display.
    bool textOnly = false;
    for (int i = 1; i < argc; ++i)
        textOnly = textOnly || !std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h") ||
                   !std::strcmp(argv[i], "--version") || !std::strcmp(argv[i], "-v");
    if ((textOnly || wantsScreenshot(argc, argv)) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Pidvisor");
    QApplication::setApplicationName("pidvisor-gui");
    QApplication::setApplicationVersion(PIDVISOR_VERSION);
    QString error;
    auto options = GuiOptions::parse(QApplication::arguments(), &error);
    if (!options) {
        std::fprintf(stderr, "pidvisor-gui: %s\n", error.toLocal8Bit().constData());
        return 2;
    }
    bool screenshot = !options->screenshot.isEmpty();
    BackendThread backend(backendOptions(*options, !screenshot && !options->connectGiven));
    WidgetDialogProvider dialogs;
    MainWindow window(backend.backend(), &dialogs, MainWindow::Options{!screenshot});
    if (!screenshot) {
        window.show();
        backend.start();
        return app.exec();
    }
    window.resize(options->size);
    window.setAttribute(Qt::WA_DontShowOnScreen);
    window.show();
    ScreenshotTaker taker(&window, options->screenshot, !options->offline);
    QObject::connect(backend.backend(), &Backend::snapshotReady, &taker, &ScreenshotTaker::onSnapshot);
    QObject::connect(backend.backend(), &Backend::failed, &taker, &ScreenshotTaker::onFailed);
    QObject::connect(&taker, &ScreenshotTaker::done, &app, [](int code) { QApplication::exit(code); });
    backend.start();
    return app.exec();
}

} // namespace pidvisor::gui
