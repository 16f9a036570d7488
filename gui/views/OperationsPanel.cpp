#include "OperationsPanel.h"

#include "ProgressDelegate.h"

#include "backend/OperationRunner.h"
#include "models/ModelRoles.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace pidvisor::gui {

OperationsPanel::OperationsPanel(OperationRunner* runner, QWidget* parent) : QWidget(parent), m_runner(runner)
{
    OperationsModel* model = runner->model();
    m_table = new QTableView;
    m_table->setObjectName("operations");
    m_table->setModel(model);
    m_table->setItemDelegateForColumn(OperationColumn::Progress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(24);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(OperationColumn::What, 130);
    m_table->setColumnWidth(OperationColumn::Target, 170);
    m_table->setColumnWidth(OperationColumn::Progress, 230);
    m_table->setColumnWidth(OperationColumn::Elapsed, 70);
    m_details = new QPlainTextEdit;
    m_details->setReadOnly(true);
    m_details->setPlaceholderText("Select an operation to see its stages, its result or its error in full.");
    m_cancel = new QPushButton("Cancel operation");
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, &OperationsPanel::cancelCurrent);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_details, 1);
    rightLayout->addWidget(m_cancel);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_table);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &OperationsPanel::updateDetails);
    connect(model, &QAbstractItemModel::dataChanged, this, &OperationsPanel::updateDetails);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] { m_table->selectRow(0); });
}

int OperationsPanel::currentId() const
{
    QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(OperationIdRole).toInt() : 0;
}

void OperationsPanel::cancelCurrent()
{
    if (int id = currentId())
        (void)m_runner->cancel(id);
}

void OperationsPanel::updateDetails()
{
    const OperationEntry* e = m_runner->model()->find(currentId());
    if (!e) {
        m_details->clear();
        m_cancel->setEnabled(false);
        return;
    }
    QString text = OperationsModel::describe(*e);
    if (m_details->toPlainText() != text)
        m_details->setPlainText(text);
    bool running = e->state == OperationEntry::State::Running;
    m_cancel->setEnabled(running && e->cancellable && !e->cancelRequested);
    m_cancel->setToolTip(e->cancellable ? "Stops where that is safe; nothing is left half done"
                                        : "This operation cannot be cancelled safely");
}

} // namespace pidvisor::gui
