// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QWidget>

class QCompleter;
class QLabel;
class QLineEdit;
class QStringListModel;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The "allowed models" entry of a client key: a comma-separated list that completes the models the
// configured channels serve, and warns inline about a model no channel serves (a typo would
// otherwise show up only as refused requests).
class AllowedModelsField final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AllowedModelsField)

public:
    explicit AllowedModelsField(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~AllowedModelsField() override;

    // Empty = all models.
    [[nodiscard]] QStringList models() const;
    void setModels(const QStringList &models);
    void setReadOnly(bool readOnly);
    // The models the enabled channels serve now, sorted.
    [[nodiscard]] QStringList servedModels() const { return m_served; }
    [[nodiscard]] QLineEdit *lineEdit() const { return m_edit; }

private:
    void completeLastEntry();
    void insertCompletion(const QString &model);
    void updateWarning();

    QStringList m_served;
    QLineEdit *m_edit = nullptr;
    QLabel *m_warning = nullptr;
    QStringListModel *m_completionModel = nullptr;
    QCompleter *m_completer = nullptr;
};

} // namespace tarn::ui
