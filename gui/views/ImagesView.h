// ImagesView: the "Images" tab: the host's container images (ImagesModel)
// with New… (an image from Debian packages, built as an operation with
// progress), Import… (an archive picked through the DialogProvider,
// imported the same way) and Delete (confirmed). A new container from
// an image is made from the tree (New Container picks the image).
#pragma once

#include "backend/Snapshot.h"

#include <QWidget>

class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace pidvisor::gui {

class DialogProvider;
class ImagesModel;
class OperationRunner;

class ImagesView : public QWidget {
    Q_OBJECT
public:
    ImagesView(DialogProvider* dialogs, OperationRunner* runner, QWidget* parent = nullptr);

    void setSnapshot(SnapshotPtr snapshot);
    [[nodiscard]] ImagesModel* model() const { return m_model; }
    [[nodiscard]] QTableView* table() const { return m_table; }
    // Selects the image of that name; false when there is none.
    bool select(const QString& name);
    // The buttons' work; each returns the operation id, 0 when nothing started.
    int createImage();
    int importImage();
    int deleteSelected();

private:
    void updateButtons();
    [[nodiscard]] QString selectedName() const;

    DialogProvider* m_dialogs;
    OperationRunner* m_runner;
    SnapshotPtr m_snapshot;
    ImagesModel* m_model;
    QSortFilterProxyModel* m_sort;
    QTableView* m_table;
    QPushButton* m_create;
    QPushButton* m_import;
    QPushButton* m_delete;
};

} // namespace pidvisor::gui
