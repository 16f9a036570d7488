// `pidvisor-gui --screenshot`: the real binary renders the window from a
// real inventory file (filled through the Inventory API) to a PNG that is
// not blank. The PNG stays in the build tree for people to look at.
#include "GuiTests.h"
#include "GuiTestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QTest>

#include <cmath>
#include <set>

namespace pidvisor::gui::test {

class ScreenshotTest : public QObject {
    Q_OBJECT
private slots:
    void rendersTheInventory()
    {
        QString dir = scratchDir("screenshot");
        QString db = dir + "/inventory.db";
        {
            auto inventory = manager::Inventory::open(db.toStdString());
            QVERIFY2(inventory, inventory ? "" : inventory.error().describe().c_str());
            fillLab(*inventory);
        }
        QString png = PIDVISOR_SCREENSHOT;
        QDir().mkpath(QFileInfo(png).path());
        QFile::remove(png);
        QProcess gui;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", dir + "/config");
        gui.setProcessEnvironment(env);
        gui.start(PIDVISOR_GUI_BIN, {"--db", db, "--screenshot", png});
        QVERIFY(gui.waitForFinished(60000));
        QByteArray err = gui.readAllStandardError();
        QCOMPARE(gui.exitCode(), 0);
        QCOMPARE(QString(gui.readAllStandardOutput()).trimmed(), QFileInfo(png).absoluteFilePath());
        QImage image(png);
        QVERIFY2(!image.isNull(), err.constData());
        QCOMPARE(image.size(), QSize(1280, 820));
        // Not blank: the grey levels vary and many colours are used.
        double sum = 0, sum2 = 0;
        std::set<QRgb> colours;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2) {
                QRgb p = image.pixel(x, y);
                double g = qGray(p);
                sum += g;
                sum2 += g * g;
                colours.insert(p);
            }
        double n = (image.height() / 2.0) * (image.width() / 2.0);
        double variance = sum2 / n - (sum / n) * (sum / n);
        qInfo("screenshot: %s (grey variance %.0f, %zu colours)", qPrintable(png), variance, colours.size());
        QVERIFY(variance > 200);
        QVERIFY(colours.size() > 50);
    }
};

PIDVISOR_GUI_TEST(ScreenshotTest)

} // namespace pidvisor::gui::test

#include "ScreenshotTest.moc"
