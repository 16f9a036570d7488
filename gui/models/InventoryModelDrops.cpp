// InventoryModel: flags, drag and drop (a container onto a VM: migrate).
#include "InventoryModel.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>

namespace pidvisor::gui {

Qt::ItemFlags InventoryModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const InventoryNode& n = *node(index);
    if (n.kind == NodeKind::Container)
        f |= Qt::ItemIsDragEnabled;
    if (n.kind == NodeKind::Vm)
        f |= Qt::ItemIsDropEnabled;
    if (n.kind == NodeKind::Process)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QStringList InventoryModel::mimeTypes() const
{
    return {kContainerMime};
}

QMimeData* InventoryModel::mimeData(const QModelIndexList& indexes) const
{
    for (const QModelIndex& index : indexes) {
        const InventoryNode* n = node(index);
        if (!index.isValid() || n->kind != NodeKind::Container)
            continue;
        QStringList path = pathOf(*n);
        QJsonObject o{{"uri", path[0]}, {"vm", path[1]}, {"container", path[2]}};
        auto* mime = new QMimeData;
        mime->setData(kContainerMime, QJsonDocument(o).toJson(QJsonDocument::Compact));
        mime->setText(path.join('/'));
        return mime;
    }
    return nullptr;
}

const InventoryNode* InventoryModel::dropTarget(const QMimeData* data, const QModelIndex& parent) const
{
    if (!data || !data->hasFormat(kContainerMime) || !parent.isValid())
        return nullptr;
    const InventoryNode* target = node(parent);
    if (target->kind != NodeKind::Vm)
        return nullptr;
    QJsonObject o = QJsonDocument::fromJson(data->data(kContainerMime)).object();
    QStringList path = pathOf(*target);
    // The manager migrates between VMs of one libvirt connection.
    if (o.value("uri").toString() != path[0] || o.value("vm").toString() == path[1])
        return nullptr;
    return target;
}

bool InventoryModel::canDropMimeData(const QMimeData* data, Qt::DropAction, int, int, const QModelIndex& parent) const
{
    return dropTarget(data, parent) != nullptr;
}

bool InventoryModel::dropMimeData(const QMimeData* data, Qt::DropAction, int, int, const QModelIndex& parent)
{
    const InventoryNode* target = dropTarget(data, parent);
    if (!target)
        return false;
    QJsonObject o = QJsonDocument::fromJson(data->data(kContainerMime)).object();
    emit containerDropped(o.value("uri").toString(), o.value("vm").toString(), o.value("container").toString(),
                          nodeName(*target));
    return true;
}

Qt::DropActions InventoryModel::supportedDropActions() const
{
    // Copy, never Move: the view must not remove the dragged row itself.
    return Qt::CopyAction;
}

Qt::DropActions InventoryModel::supportedDragActions() const
{
    return Qt::CopyAction;
}

} // namespace pidvisor::gui
