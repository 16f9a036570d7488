#include "MainWindow.h"

#include "ActionController.h"
#include "ChartsView.h"
#include "DetailsPane.h"
#include "FirstRunPage.h"
#include "ImagesView.h"
#include "InventoryTreeView.h"
#include "OperationsPanel.h"
#include "TreeStateKeeper.h"

#include "backend/Backend.h"
#include "backend/OperationRunner.h"
#include "dialogs/DialogProvider.h"
#include "models/CheckpointsModel.h"
#include "models/InventoryModel.h"
#include "models/InventoryProxyModel.h"
#include "models/ModelRoles.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace pidvisor::gui {

MainWindow::MainWindow(Backend* backend, DialogProvider* dialogs, Options options, QWidget* parent)
    : QMainWindow(parent), m_backend(backend), m_dialogs(dialogs), m_options(options)
{
    setWindowTitle("Pidvisor");
    m_model = new InventoryModel(this);
    m_proxy = new InventoryProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_operations = new OperationsModel(this);
    m_checkpoints = new CheckpointsModel(this);
    m_checkpointSort = new QSortFilterProxyModel(this);
    m_checkpointSort->setSourceModel(m_checkpoints);
    m_checkpointSort->setSortRole(SortRole);
    m_runner = new OperationRunner(
        m_operations, [backend](const std::string& uri) { return backend ? backend->session(uri) : nullptr; }, this);
    m_actions = new ActionController(this, dialogs, m_runner, backend);
    buildLayout();
    buildMenus();
    buildToolBar();
    wireBackend();
    resize(1280, 820);
    restoreState();
    updateStatus();
}

MainWindow::~MainWindow()
{
    m_runner->cancelAll();
    m_runner->waitForDone();
}

void MainWindow::buildLayout()
{
    m_tree = new InventoryTreeView;
    m_tree->setModel(m_proxy);
    m_tree->sortByColumn(InventoryColumn::Name, Qt::AscendingOrder);
    static const int widths[InventoryColumn::Count] = {250, 72, 50, 165, 118, 88, 46, 56, 52, 96, 124, 220};
    for (int c = 0; c < InventoryColumn::Count; ++c)
        m_tree->setColumnWidth(c, widths[c]);
    m_treeState = new TreeStateKeeper(m_tree, this);
    m_details = new DetailsPane(m_backend);
    m_filter = new QLineEdit;
    m_filter->setObjectName("filter");
    m_filter->setPlaceholderText("Filter by any column: name, state, pid, command…");
    m_filter->setClearButtonEnabled(true);
    m_checkpointTable = new QTableView;
    m_checkpointTable->setObjectName("checkpoints");
    m_checkpointTable->setModel(m_checkpointSort);
    m_checkpointTable->setSortingEnabled(true);
    m_checkpointTable->sortByColumn(CheckpointColumn::Created, Qt::DescendingOrder);
    m_checkpointTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_checkpointTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_checkpointTable->verticalHeader()->hide();
    m_checkpointTable->horizontalHeader()->setStretchLastSection(true);
    m_checkpointTable->setContextMenuPolicy(Qt::CustomContextMenu);
    m_checkpointTable->setColumnWidth(CheckpointColumn::Created, 150);
    m_operationsPanel = new OperationsPanel(m_runner);
    m_charts = new ChartsView;
    m_bottomTabs = new QTabWidget;
    m_bottomTabs->addTab(m_operationsPanel, "Operations");
    m_bottomTabs->addTab(m_checkpointTable, "Checkpoints");
    m_images = new ImagesView(m_dialogs, m_runner);
    m_bottomTabs->addTab(m_images, "Images");
    m_bottomTabs->addTab(m_charts, "Charts");
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_filter);
    leftLayout->addWidget(m_tree, 1);
    m_horizontal = new QSplitter(Qt::Horizontal);
    m_horizontal->addWidget(left);
    m_horizontal->addWidget(m_details);
    m_horizontal->setSizes({880, 400});
    m_firstRun = new FirstRunPage(m_backend, m_runner);
    m_top = new QStackedWidget;
    m_top->addWidget(m_horizontal);
    m_top->addWidget(m_firstRun);
    m_vertical = new QSplitter(Qt::Vertical);
    m_vertical->addWidget(m_top);
    m_vertical->addWidget(m_bottomTabs);
    m_vertical->setSizes({520, 260});
    setCentralWidget(m_vertical);
    m_counts = new QLabel;
    m_updated = new QLabel;
    statusBar()->addWidget(m_counts, 1);
    statusBar()->addPermanentWidget(m_updated);

    connect(m_filter, &QLineEdit::textChanged, this, &MainWindow::applyFilter);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { onTreeCurrentChanged(current); });
    connect(m_checkpointTable->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { onCheckpointCurrentChanged(current); });
    connect(m_tree, &InventoryTreeView::contextMenuAt, this, &MainWindow::showContextMenu);
    connect(m_checkpointTable, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        showContextMenu(m_checkpointTable->indexAt(pos), m_checkpointTable->viewport()->mapToGlobal(pos));
    });
    connect(m_model, &InventoryModel::containerDropped, m_actions, &ActionController::migrateDropped);
    connect(m_operations, &OperationsModel::runningCountChanged, this, &MainWindow::updateStatus);
    connect(m_firstRun, &FirstRunPage::skipped, this, &MainWindow::skipFirstRun);
}

void MainWindow::wireBackend()
{
    connect(m_runner, &OperationRunner::started, this, [this] {
        m_bottomTabs->setCurrentWidget(m_operationsPanel);
        requestRefresh(); // shows the VM as busy at once
    });
    connect(m_runner, &OperationRunner::finished, this, &MainWindow::requestRefresh);
    connect(m_actions, &ActionController::refreshRequested, this, &MainWindow::requestRefresh);
    connect(m_actions, &ActionController::connectionAdded, this, &MainWindow::addConnection);
    connect(m_actions, &ActionController::cancelRequested, m_operationsPanel, &OperationsPanel::cancelCurrent);
    connect(m_actions, &ActionController::focusFilterRequested, this, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    connect(m_actions, &ActionController::quitRequested, this, &QWidget::close);
    connect(m_actions, &ActionController::message, this, [this](const QString& text) {
        statusBar()->showMessage(text, 8000);
    });
    if (!m_backend)
        return;
    connect(m_backend, &Backend::snapshotReady, this, &MainWindow::setSnapshot);
    connect(m_backend, &Backend::failed, this, [this](const QString& message) {
        m_updated->setText("⚠ " + message);
    });
    connect(m_backend, &Backend::connectionFailed, this, [this](const QString& uri, const QString& message) {
        statusBar()->showMessage(uri + ": " + message, 10000);
    });
}

void MainWindow::requestRefresh()
{
    if (m_backend)
        QMetaObject::invokeMethod(m_backend, &Backend::refreshSoon);
}

void MainWindow::addConnection(const QString& uri)
{
    if (m_options.persistState) {
        QSettings settings;
        QStringList uris = settings.value("connections").toStringList();
        if (!uris.contains(uri))
            settings.setValue("connections", uris << uri);
    }
    if (m_backend)
        QMetaObject::invokeMethod(m_backend, [b = m_backend, uri] { b->addConnection(uri); });
}

void MainWindow::setSnapshot(SnapshotPtr snapshot)
{
    m_snapshot = snapshot;
    m_model->setSnapshot(snapshot);
    m_checkpoints->setSnapshot(snapshot);
    m_images->setSnapshot(snapshot);
    m_details->setSnapshot(snapshot);
    m_actions->setSnapshot(snapshot);
    m_charts->setSnapshot(snapshot);
    m_firstRun->setSnapshot(snapshot);
    updateFirstRun();
    if (m_tree->selectionModel()->currentIndex().isValid() == false && m_selection.kind != Selection::Kind::None &&
        m_selection.kind != Selection::Kind::Checkpoint)
        setSelection({}); // the selected row went away
    updateStatus();
}

bool MainWindow::firstRunShown() const
{
    return m_top->currentWidget() == m_firstRun;
}

void MainWindow::showFirstRun(bool show)
{
    m_top->setCurrentWidget(show ? static_cast<QWidget*>(m_firstRun) : m_horizontal);
    if (show)
        m_firstRun->recheck();
}

// Decided on the first snapshot: shown for an empty inventory unless an
// earlier session skipped it or had VMs; hidden for good once a VM exists.
void MainWindow::updateFirstRun()
{
    bool hasVm = countSnapshot(*m_snapshot).vms > 0;
    if (hasVm) {
        if (!m_firstRunRecorded) { // the first VM: done; Help shows the page again
            showFirstRun(false);
            if (m_options.persistState)
                QSettings().setValue("firstRun/done", true); // once, not on every poll
        }
        m_firstRunRecorded = true;
    } else if (!m_firstRunDecided) {
        bool done = m_options.persistState && (QSettings().value("firstRun/done").toBool() ||
                                               QSettings().value("firstRun/skipped").toBool());
        if (!done)
            showFirstRun(true);
    }
    m_firstRunDecided = true;
}

void MainWindow::skipFirstRun()
{
    showFirstRun(false);
    if (m_options.persistState)
        QSettings().setValue("firstRun/skipped", true);
}

void MainWindow::onTreeCurrentChanged(const QModelIndex& index)
{
    Selection s;
    if (index.isValid()) {
        QStringList path = index.data(PathRole).toStringList();
        static const Selection::Kind kinds[] = {Selection::Kind::Host, Selection::Kind::Vm,
                                                Selection::Kind::Container, Selection::Kind::Process};
        s.kind = kinds[std::min<qsizetype>(path.size(), 4) - 1];
        s.uri = path.value(0);
        s.vm = path.value(1);
        s.container = path.value(2);
        s.vpid = path.value(3).toLongLong();
        m_checkpointTable->selectionModel()->clearSelection();
    }
    setSelection(s);
}

void MainWindow::onCheckpointCurrentChanged(const QModelIndex& index)
{
    if (!index.isValid())
        return;
    Selection s;
    s.kind = Selection::Kind::Checkpoint;
    s.checkpoint = index.data(CheckpointIdRole).toString();
    setSelection(s);
}

void MainWindow::setSelection(const Selection& selection)
{
    m_selection = selection;
    m_details->setSelection(selection);
    m_actions->setSelection(selection);
}

bool MainWindow::selectPath(const QStringList& path)
{
    QModelIndex index = m_proxy->mapFromSource(m_model->indexForPath(path));
    if (!index.isValid())
        return false;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
    return true;
}

bool MainWindow::selectCheckpoint(const QString& id)
{
    int row = m_checkpoints->rowOf(id);
    if (row < 0)
        return false;
    QModelIndex index = m_checkpointSort->mapFromSource(m_checkpoints->index(row, 0));
    m_checkpointTable->setCurrentIndex(index);
    return true;
}

void MainWindow::showTab(int index)
{
    m_bottomTabs->setCurrentIndex(index);
}

void MainWindow::showContextMenu(const QModelIndex& index, const QPoint& globalPos)
{
    if (!index.isValid())
        setSelection({});
    QMenu menu(this);
    m_actions->fillContextMenu(&menu);
    if (!menu.isEmpty())
        menu.exec(globalPos);
}

void MainWindow::applyFilter(const QString& text)
{
    m_proxy->setFilterText(text);
    if (!text.trimmed().isEmpty())
        m_tree->expandAll(); // show where the matches are
    else
        m_treeState->applyAll();
}

void MainWindow::updateStatus()
{
    int running = m_operations->runningCount();
    QString ops = running ? QString(" · %1 operation(s) running").arg(running) : QString();
    if (!m_snapshot) {
        m_counts->setText(m_backend ? "Reading the inventory…" + ops : "No inventory" + ops);
        return;
    }
    SnapshotCounts c = countSnapshot(*m_snapshot);
    m_counts->setText(QString("%1 host(s), %2 connected · %3 VM(s), %4 running · %5 container(s), %6 running · "
                              "%7 process(es) · %8 checkpoint(s)")
                          .arg(c.hosts)
                          .arg(c.connectedHosts)
                          .arg(c.vms)
                          .arg(c.runningVms)
                          .arg(c.containers)
                          .arg(c.runningContainers)
                          .arg(c.processes)
                          .arg(c.checkpoints) +
                      ops);
    m_updated->setText("updated " + QDateTime::fromMSecsSinceEpoch(m_snapshot->takenAt).toString("HH:mm:ss"));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    int running = m_operations->runningCount();
    if (running > 0 &&
        !m_dialogs->confirm(this, "Quit Pidvisor",
                            QString("%1 operation(s) still running. Quit once they end? Those that can be "
                                    "cancelled safely are cancelled.")
                                .arg(running))) {
        event->ignore();
        return;
    }
    saveState();
    m_runner->cancelAll();
    m_runner->waitForDone();
    event->accept();
}

void MainWindow::restoreState()
{
    if (!m_options.persistState) {
        m_treeState->applyAll();
        return;
    }
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    m_vertical->restoreState(settings.value("window/vertical").toByteArray());
    m_horizontal->restoreState(settings.value("window/horizontal").toByteArray());
    m_checkpointTable->horizontalHeader()->restoreState(settings.value("checkpoints/header").toByteArray());
    m_treeState->restore(settings);
}

void MainWindow::saveState() const
{
    if (!m_options.persistState)
        return;
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/vertical", m_vertical->saveState());
    settings.setValue("window/horizontal", m_horizontal->saveState());
    settings.setValue("checkpoints/header", m_checkpointTable->horizontalHeader()->saveState());
    m_treeState->save(settings);
}

} // namespace pidvisor::gui
