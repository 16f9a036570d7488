// TreeStateKeeper: remembers which rows of the inventory tree are expanded
// (by their names: host uri, VM, container) and the header's state (column
// widths, order, sort), re-applies expansion when rows come back after a
// refresh, a filter change or a restart, and stores both in QSettings.
#pragma once

#include <QObject>
#include <QSet>
#include <QString>

class QAbstractItemModel;
class QSettings;
class QTreeView;

namespace pidvisor::gui {

class TreeStateKeeper : public QObject {
    Q_OBJECT
public:
    explicit TreeStateKeeper(QTreeView* view, QObject* parent = nullptr);

    void restore(QSettings& settings);
    void save(QSettings& settings) const;
    // When nothing was saved: hosts and VMs open, containers closed.
    void setDefaultDepth(int depth) { m_defaultDepth = depth; }
    [[nodiscard]] const QSet<QString>& expanded() const { return m_expanded; }
    void applyAll();

private:
    [[nodiscard]] QString keyOf(const QModelIndex& index) const;
    void apply(const QModelIndex& index);
    void onExpanded(const QModelIndex& index, bool expanded);

    QTreeView* m_view;
    QSet<QString> m_expanded;
    bool m_haveSaved = false;
    bool m_applying = false;
    int m_defaultDepth = 2;
};

} // namespace pidvisor::gui
