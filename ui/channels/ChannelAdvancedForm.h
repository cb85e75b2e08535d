// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/Result.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace tarn::ui {

class HeaderListEditor;

// The channel dialog's second tab: proxy, test model, extra headers, failover statuses, declared
// capabilities (with what upstreams
// taught Tarn beside them), budgets and prices. Values are the store's own units.
class ChannelAdvancedForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelAdvancedForm)

public:
    explicit ChannelAdvancedForm(QWidget *parent = nullptr);
    ~ChannelAdvancedForm() override;

    void load(const gateway::Channel &channel);
    // Writes the fields into channel; the rest of it is left as it is (parameter overrides too,
    // while error() has something to say about them).
    void apply(gateway::Channel &channel) const;
    // What is wrong with the headers, the failover statuses or the parameter overrides (these in
    // the command line's words); empty when fine.
    QString error() const;

Q_SIGNALS:
    void changed();

private:
    // The overrides as `tarn channel add` flags, read by the command line's own parser.
    gateway::Status applyParams(gateway::Channel &channel) const;
    QString failoverError() const;
    QComboBox *capabilityCombo(const QString &name);
    QSpinBox *countSpin(const QString &name, int max);
    QDoubleSpinBox *priceSpin(const QString &name);

    QLineEdit *m_proxy = nullptr;
    QLineEdit *m_testModel = nullptr;
    HeaderListEditor *m_headers = nullptr;
    QLineEdit *m_failover = nullptr;
    QLabel *m_failoverError = nullptr;
    QComboBox *m_tools = nullptr;
    QComboBox *m_vision = nullptr;
    QComboBox *m_jsonMode = nullptr;
    QSpinBox *m_contextTokens = nullptr;
    QSpinBox *m_maxOutput = nullptr;
    QLabel *m_learned = nullptr;
    QSpinBox *m_rpm = nullptr;
    QSpinBox *m_tpm = nullptr;
    QSpinBox *m_perDay = nullptr;
    QSpinBox *m_perMonth = nullptr;
    QDoubleSpinBox *m_priceIn = nullptr;
    QDoubleSpinBox *m_priceOut = nullptr;
    QDoubleSpinBox *m_priceCached = nullptr;
    QPlainTextEdit *m_setParams = nullptr;
    QLineEdit *m_dropParams = nullptr;
    QLineEdit *m_stripBetas = nullptr;
};

} // namespace tarn::ui
