// StateIcons: the small icons of the inventory tree and the tables: what a
// row is (host, VM, container, process, checkpoint) with a dot in its
// state's colour. Drawn once per kind and colour, then cached.
#pragma once

#include "Format.h"
#include "ModelRoles.h"

#include <QHash>
#include <QIcon>

namespace pidvisor::gui {

class StateIcons {
public:
    // Processes and the root have no dot.
    [[nodiscard]] static QIcon icon(NodeKind kind, format::Tone tone);
    [[nodiscard]] static QIcon dot(format::Tone tone);

private:
    [[nodiscard]] static QPixmap drawKind(NodeKind kind);
};

} // namespace pidvisor::gui
