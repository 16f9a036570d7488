// StateIcons: the small icons of the inventory tree and the tables: what a
// row is (host, VM, container, process, checkpoint) with a dot in its
// state's colour. Drawn once per kind and colour, then cached.
#pragma once

#include "ModelRoles.h"

#include <QHash>
#include <QIcon>

namespace pidvisor::gui {

class StateIcons {
public:
    [[nodiscard]] static QIcon icon(NodeKind kind, const QString& state);
    [[nodiscard]] static QIcon dot(const QString& state);

private:
    [[nodiscard]] static QPixmap drawKind(NodeKind kind);
};

} // namespace pidvisor::gui
