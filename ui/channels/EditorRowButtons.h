// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <functional>

class QLineEdit;
class QObject;
class QWidget;

namespace tarn::ui {

// The buttons at the end of a row of the key and header editors (secrets masked by default).

// Adds a Show / Hide toggle for the masked edit to row's layout.
void addRevealButton(QWidget *row, QLineEdit *edit, const QString &objectName, const QString &toolTip);

// Adds a Remove button to row's layout: it takes row out of the editor, then calls removed (with
// context as its receiver).
void addRemoveButton(QWidget *row, const QString &objectName, QObject *context, std::function<void()> removed);

} // namespace tarn::ui
