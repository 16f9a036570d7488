// bench_gui: how the inventory tree copes with 1,000 VMs x 20 containers
// (the processes of a few): model rebuild, refresh after a snapshot that
// changes a few rows (model update + repaint), and start-up to first paint
// of the whole window; each against a plain QStandardItemModel holding the
// same rows, measured in the same run. Targets: refresh <= 50 ms, first
// paint <= 400 ms. Not a pass/fail test.
#include "GuiTestSupport.h"
#include "ScriptedDialogs.h"

#include "models/InventoryModel.h"
#include "models/InventoryProxyModel.h"
#include "models/InventoryText.h"
#include "views/MainWindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QStandardItemModel>
#include <QTreeView>

#include <algorithm>
#include <cstdio>

using namespace pidvisor::gui;
using namespace pidvisor::gui::test;

namespace {

constexpr int kRounds = 10;

double ms(const QElapsedTimer& t)
{
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

void paint(QTreeView& view)
{
    view.viewport()->repaint();
    QApplication::processEvents();
}

// The baseline: the same rows and texts in a QStandardItemModel.
void fillStandard(QStandardItemModel& model, const InventorySnapshot& s)
{
    model.clear();
    model.setColumnCount(InventoryColumn::Count);
    InventoryModel probe; // reuses the tree's texts so both show the same
    probe.setSnapshot(std::make_shared<InventorySnapshot>(s));
    std::function<void(const QModelIndex&, QStandardItem*)> copy = [&](const QModelIndex& parent, QStandardItem* into) {
        for (int r = 0; r < probe.rowCount(parent); ++r) {
            QList<QStandardItem*> row;
            for (int c = 0; c < InventoryColumn::Count; ++c)
                row << new QStandardItem(probe.index(r, c, parent).data().toString());
            into->appendRow(row);
            copy(probe.index(r, 0, parent), row.front());
        }
    };
    copy({}, model.invisibleRootItem());
}

void report(const char* what, double ours, double base, double target)
{
    std::printf("%-34s %9.2f ms   baseline %9.2f ms   ratio %5.2f%s\n", what, ours, base, ours / base,
                target > 0 ? (ours <= target ? "   (target met)" : "   (TARGET MISSED)") : "");
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    SyntheticShape shape{1, 1000, 20, 4, 5, 200};
    auto first = makeSnapshot(shape);
    std::printf("bench_gui: %d VMs x %d containers, processes in %d VMs, %d checkpoints\n", shape.vms,
                shape.containersPerVm, shape.vmsWithProcesses, shape.checkpoints);

    // Rebuild: a whole snapshot into an empty model, shown by a view.
    InventoryModel model;
    InventoryProxyModel proxy;
    proxy.setSourceModel(&model);
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setModel(&proxy);
    view.resize(1200, 700);
    view.show();
    QElapsedTimer t;
    t.start();
    model.setSnapshot(first);
    view.expandToDepth(0);
    paint(view);
    double rebuild = ms(t);

    QStandardItemModel standard;
    QTreeView baseView;
    baseView.setUniformRowHeights(true);
    baseView.setModel(&standard);
    baseView.resize(1200, 700);
    baseView.show();
    t.restart();
    fillStandard(standard, *first);
    baseView.expandToDepth(0);
    paint(baseView);
    double baseRebuild = ms(t);

    // Refresh: each round a new snapshot where 10 VMs changed state.
    double refresh = 0, baseRefresh = 0;
    std::shared_ptr<InventorySnapshot> current = first;
    for (int round = 0; round < kRounds; ++round) {
        auto next = std::make_shared<InventorySnapshot>(*current);
        for (int k = 0; k < 10; ++k)
            next->hosts[0].vms[static_cast<std::size_t>(k * 97 + round)].record.state =
                pidvisor::manager::VmState::Paused;
        t.restart();
        model.setSnapshot(next);
        paint(view);
        refresh += ms(t);
        t.restart();
        QStandardItem* host = standard.item(0);
        for (int k = 0; k < 10; ++k)
            host->child(k * 97 + round, InventoryColumn::State)->setText("paused");
        paint(baseView);
        baseRefresh += ms(t);
        current = next;
    }
    refresh /= kRounds;
    baseRefresh /= kRounds;

    // Start-up to first paint: the whole window with that snapshot.
    ScriptedDialogs dialogs;
    t.restart();
    {
        MainWindow w(nullptr, &dialogs, {false});
        w.setSnapshot(first);
        w.show();
        (void)w.grab();
    }
    double firstPaint = ms(t);
    t.restart();
    {
        QTreeView v;
        QStandardItemModel m;
        fillStandard(m, *first);
        v.setModel(&m);
        v.resize(1280, 820);
        v.show();
        (void)v.grab();
    }
    double baseFirstPaint = ms(t);

    report("model rebuild + first view paint", rebuild, baseRebuild, 0);
    report("refresh (10 VMs changed) + repaint", refresh, baseRefresh, 50);
    report("start-up to first paint (window)", firstPaint, baseFirstPaint, 400);
    std::printf("model update stats of the last refresh: %d changed, %d inserted, %d removed\n",
                model.lastUpdate().changed, model.lastUpdate().inserted, model.lastUpdate().removed);
    return 0;
}
