// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QLabel;

namespace tarn::ui {

// "About Tarn": name, version (QCoreApplication::applicationVersion(), which the app sets from the
// CMake project version), licence, the Qt it runs on and the data folder, which it opens on click.
class AboutDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AboutDialog)

public:
    explicit AboutDialog(const QString &dataDir, QWidget *parent = nullptr);
    ~AboutDialog() override;

    [[nodiscard]] QString versionText() const;
    [[nodiscard]] QString dataDirText() const;

private:
    QLabel *m_version = nullptr;
    QLabel *m_dataDir = nullptr;
};

} // namespace tarn::ui
