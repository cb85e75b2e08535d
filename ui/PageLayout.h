// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QString;
class QVBoxLayout;
class QWidget;

namespace tarn::ui {

// Gives every page the same frame: a title, a one-line summary, then the page's own content.
// Returns the page's layout; callers add their widgets below the header.
QVBoxLayout *createPageLayout(QWidget *page, const QString &title, const QString &summary);

} // namespace tarn::ui
