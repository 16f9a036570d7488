// InventoryText: what each column of the inventory tree says for a host,
// VM, container or process, its sort value and its tooltip. Kept apart from
// InventoryModel, which is about structure and change.
#pragma once

#include "Format.h"
#include "InventoryNode.h"

#include <QString>
#include <QVariant>

namespace pidvisor::gui {

class InventoryText {
public:
    [[nodiscard]] static QString display(const InventoryNode& node, int column);
    [[nodiscard]] static QVariant sortValue(const InventoryNode& node, int column);
    [[nodiscard]] static QString toolTip(const InventoryNode& node);
    // The word the state column shows.
    [[nodiscard]] static QString state(const InventoryNode& node);
    // The colour of the row's icon dot.
    [[nodiscard]] static format::Tone tone(const InventoryNode& node);
    // Whether the row is greyed: not there or not running.
    [[nodiscard]] static bool dimmed(const InventoryNode& node);
    [[nodiscard]] static QString header(int column);
    // Whether two versions of a row would look the same (ignores children).
    [[nodiscard]] static bool sameRow(NodeKind kind, const void* a, const void* b);

private:
    [[nodiscard]] static QString hostText(const HostInfo& h, int column);
    [[nodiscard]] static QString vmText(const VmInfo& v, int column);
    [[nodiscard]] static QString containerText(const ContainerInfo& c, int column);
    [[nodiscard]] static QString processText(const ProcessInfo& p, int column);
};

} // namespace pidvisor::gui
