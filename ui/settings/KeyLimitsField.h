// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ClientKey.h"

#include <QWidget>

class QSpinBox;

namespace tarn::ui {

// A client key's limits: tokens per day and per month, requests per minute; each "no limit" at 0.
// Over one, the key's requests get a 429 with Retry-After until the day, month or minute frees.
class KeyLimitsField final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyLimitsField)

public:
    explicit KeyLimitsField(QWidget *parent = nullptr);
    ~KeyLimitsField() override;

    void setLimits(const gateway::ClientKeyLimits &limits);
    [[nodiscard]] gateway::ClientKeyLimits limits() const;

    // "100,000 tokens/day · 2,000,000/month · 10 requests/min", or "no limits".
    static QString describe(const gateway::ClientKeyLimits &limits);

private:
    QSpinBox *m_perDay = nullptr;
    QSpinBox *m_perMonth = nullptr;
    QSpinBox *m_perMinute = nullptr;
};

} // namespace tarn::ui
