// DialogParts: the pieces every Pidvisor dialog ends with.
#pragma once

#include <QString>

class QDialog;
class QDialogButtonBox;
class QLabel;

namespace pidvisor::gui {

// OK, labelled `okText` ("Create", "Restore"...), and Cancel, wired to the
// dialog's accept and reject.
[[nodiscard]] QDialogButtonBox* okCancelButtons(QDialog* dialog, const QString& okText);

// The line under a form that says what is wrong with the input.
[[nodiscard]] QLabel* problemLabel();

// Shows `why` (not before the user has `started` filling in the form) and
// enables OK only when there is nothing wrong.
void showProblem(QLabel* label, QDialogButtonBox* buttons, const QString& why, bool started);

} // namespace pidvisor::gui
