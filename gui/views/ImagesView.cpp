#include "ImagesView.h"

#include "backend/ImageOperations.h"
#include "backend/OperationRunner.h"
#include "dialogs/DialogProvider.h"
#include "models/ImagesModel.h"
#include "models/ModelRoles.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace pidvisor::gui {

ImagesView::ImagesView(DialogProvider* dialogs, OperationRunner* runner, QWidget* parent)
    : QWidget(parent), m_dialogs(dialogs), m_runner(runner)
{
    setObjectName("images");
    m_model = new ImagesModel(this);
    m_sort = new QSortFilterProxyModel(this);
    m_sort->setSourceModel(m_model);
    m_sort->setSortRole(SortRole);
    m_table = new QTableView;
    m_table->setObjectName("imageTable");
    m_table->setModel(m_sort);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ImageColumn::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(ImageColumn::Digest, 170);
    m_table->setColumnWidth(ImageColumn::Created, 150);
    m_create = new QPushButton(QIcon::fromTheme("document-new"), "New…");
    m_create->setObjectName("createImage");
    m_create->setToolTip("Build an image from Debian packages (e.g. redis-server, python3)");
    m_import = new QPushButton(QIcon::fromTheme("document-open"), "Import…");
    m_import->setObjectName("importImage");
    m_import->setToolTip("Import an OCI or docker image archive (podman save, docker save)");
    m_delete = new QPushButton(QIcon::fromTheme("edit-delete"), "Delete");
    m_delete->setObjectName("deleteImage");
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_create);
    buttons->addWidget(m_import);
    buttons->addWidget(m_delete);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);
    connect(m_create, &QPushButton::clicked, this, [this] { createImage(); });
    connect(m_import, &QPushButton::clicked, this, [this] { importImage(); });
    connect(m_delete, &QPushButton::clicked, this, [this] { deleteSelected(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] { updateButtons(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { updateButtons(); });
    updateButtons();
}

void ImagesView::setSnapshot(SnapshotPtr snapshot)
{
    QString keep = selectedName();
    m_snapshot = snapshot;
    m_model->setSnapshot(std::move(snapshot));
    if (!keep.isEmpty())
        select(keep);
    updateButtons();
}

bool ImagesView::select(const QString& name)
{
    int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    m_table->selectRow(m_sort->mapFromSource(m_model->index(row, 0)).row());
    return true;
}

QString ImagesView::selectedName() const
{
    auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    const auto* r = m_model->record(m_sort->mapToSource(rows.front()).row());
    return r ? QString::fromStdString(r->info.name) : QString();
}

void ImagesView::updateButtons()
{
    bool haveInventory = m_snapshot && !m_snapshot->inventoryPath.empty();
    m_create->setEnabled(haveInventory);
    m_import->setEnabled(haveInventory);
    m_delete->setEnabled(haveInventory && !selectedName().isEmpty());
}

int ImagesView::createImage()
{
    if (!m_snapshot || m_snapshot->inventoryPath.empty())
        return 0;
    auto request = m_dialogs->askCreateImage(window());
    if (!request)
        return 0;
    return m_runner->submit(ops::createImage(QString::fromStdString(m_snapshot->inventoryPath), *request));
}

int ImagesView::importImage()
{
    if (!m_snapshot || m_snapshot->inventoryPath.empty())
        return 0;
    auto request = m_dialogs->askImportImage(window());
    if (!request || request->file.isEmpty())
        return 0;
    return m_runner->submit(
        ops::importImage(QString::fromStdString(m_snapshot->inventoryPath), request->file, request->name));
}

int ImagesView::deleteSelected()
{
    QString name = selectedName();
    if (name.isEmpty() || !m_snapshot || m_snapshot->inventoryPath.empty())
        return 0;
    if (!m_dialogs->confirm(window(), "Delete image",
                            "Delete image " + name + " and its volume? Containers made from it keep running, "
                                                     "but cannot be restored elsewhere."))
        return 0;
    return m_runner->submit(ops::deleteImage(QString::fromStdString(m_snapshot->inventoryPath), name));
}

} // namespace pidvisor::gui
