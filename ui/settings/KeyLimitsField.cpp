// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/KeyLimitsField.h"

#include "ui/NumberFormat.h"

#include <QGridLayout>
#include <QLabel>
#include <QSpinBox>

#include <limits>

namespace tarn::ui {

namespace {

QSpinBox *limitSpin(QWidget *parent, const QString &objectName, const QString &suffix, int step)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(0, std::numeric_limits<int>::max());
    spin->setSingleStep(step);
    spin->setSpecialValueText(KeyLimitsField::tr("no limit"));
    spin->setSuffix(suffix);
    spin->setGroupSeparatorShown(true);
    spin->setAccelerated(true);
    return spin;
}

int clampToInt(qint64 value)
{
    return int(std::min<qint64>(value, std::numeric_limits<int>::max()));
}

} // namespace

KeyLimitsField::KeyLimitsField(QWidget *parent)
    : QWidget(parent)
{
    m_perDay = limitSpin(this, QStringLiteral("tokensPerDaySpin"), tr(" tokens/day"), 10000);
    m_perMonth = limitSpin(this, QStringLiteral("tokensPerMonthSpin"), tr(" tokens/month"), 100000);
    m_perMinute = limitSpin(this, QStringLiteral("requestsPerMinuteSpin"), tr(" requests/min"), 1);
    m_perDay->setAccessibleName(tr("Tokens per day"));
    m_perMonth->setAccessibleName(tr("Tokens per month"));
    m_perMinute->setAccessibleName(tr("Requests per minute"));
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_perDay, 0, 0);
    layout->addWidget(m_perMonth, 0, 1);
    layout->addWidget(m_perMinute, 1, 0);
    auto *note = new QLabel(tr("Over a limit, requests get 429 with Retry-After."), this);
    note->setWordWrap(true);
    layout->addWidget(note, 1, 1);
}

KeyLimitsField::~KeyLimitsField() = default;

void KeyLimitsField::setLimits(const gateway::ClientKeyLimits &limits)
{
    m_perDay->setValue(clampToInt(limits.tokensPerDay));
    m_perMonth->setValue(clampToInt(limits.tokensPerMonth));
    m_perMinute->setValue(limits.requestsPerMinute);
}

gateway::ClientKeyLimits KeyLimitsField::limits() const
{
    gateway::ClientKeyLimits limits;
    limits.tokensPerDay = m_perDay->value();
    limits.tokensPerMonth = m_perMonth->value();
    limits.requestsPerMinute = m_perMinute->value();
    return limits;
}

QString KeyLimitsField::describe(const gateway::ClientKeyLimits &limits)
{
    QStringList parts;
    if (limits.tokensPerDay > 0)
        parts.append(tr("%1 tokens/day").arg(formatCount(limits.tokensPerDay)));
    if (limits.tokensPerMonth > 0)
        parts.append(tr("%1 tokens/month").arg(formatCount(limits.tokensPerMonth)));
    if (limits.requestsPerMinute > 0)
        parts.append(tr("%1 requests/min").arg(limits.requestsPerMinute));
    return parts.isEmpty() ? tr("no limits") : parts.join(QStringLiteral(" · "));
}

} // namespace tarn::ui
