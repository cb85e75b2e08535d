// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QSpinBox;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class ChannelAdvancedForm;
class KeyListEditor;
class ModelFetcher;

// Adds or edits a channel. A preset fills type, base URL and model suggestions; the fields are
// checked as they are typed (OK stays disabled with the reason shown) with the command line's own
// rules; OK writes the channel through the service and applies it to the running router. Fields
// the dialog does not show (learned capabilities, disabled keys, ...) are kept as they were.
class ChannelDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelDialog)

public:
    // channel.id == 0 adds a new channel; takenNames are the names already in use.
    ChannelDialog(gateway::DesktopService &service, const gateway::Channel &channel, const QStringList &takenNames,
                  QWidget *parent = nullptr);
    ~ChannelDialog() override;

    // The channel as the fields describe it now.
    gateway::Channel channel() const;
    // Why the fields cannot be saved; empty when they can.
    QString validationError() const;

    void accept() override;

Q_SIGNALS:
    // The channel was written and applied (then the dialog closes).
    void saved(const QString &name);

private:
    void buildForm();
    void load(const gateway::Channel &channel);
    void applyPreset(int index);
    void revalidate();
    void updateApiRow();
    void runTest();
    void fetchModels();
    void showFetchedModels(const QStringList &models, const QString &error);
    void fetchedModelToggled(QListWidgetItem *item);
    void setBusy(bool busy);

    gateway::DesktopService &m_service;
    gateway::Channel m_original;
    QStringList m_takenNames;
    bool m_busy = false;
    bool m_loading = false; // filling the fields from a channel: no preset is applied
    QString m_presetName;   // what the last preset wrote, so a later preset may replace it
    QString m_presetModels;

    QComboBox *m_preset = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_type = nullptr;
    QComboBox *m_api = nullptr;
    QFormLayout *m_form = nullptr; // the General tab's, to hide the API row
    QLineEdit *m_baseUrl = nullptr;
    KeyListEditor *m_keys = nullptr;
    QLineEdit *m_models = nullptr;
    QPushButton *m_fetch = nullptr;
    QLabel *m_fetchResult = nullptr;
    QListWidget *m_fetched = nullptr;
    ModelFetcher *m_fetcher = nullptr;
    QLineEdit *m_aliases = nullptr;
    QSpinBox *m_priority = nullptr;
    QDoubleSpinBox *m_weight = nullptr;
    QCheckBox *m_enabled = nullptr;
    ChannelAdvancedForm *m_advanced = nullptr;
    QLabel *m_validation = nullptr;
    QPushButton *m_test = nullptr;
    QLabel *m_testResult = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace tarn::ui
