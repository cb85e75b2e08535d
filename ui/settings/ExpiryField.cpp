// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/ExpiryField.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QLocale>

namespace tarn::ui {

namespace {
QDateTime defaultExpiry()
{
    return QDateTime::currentDateTime().addDays(90);
}
} // namespace

ExpiryField::ExpiryField(QWidget *parent)
    : QWidget(parent)
{
    m_expires = new QCheckBox(tr("Expires"), this);
    m_expires->setObjectName(QStringLiteral("expiresCheck"));
    m_date = new QDateTimeEdit(defaultExpiry(), this);
    m_date->setObjectName(QStringLiteral("expiresEdit"));
    m_date->setCalendarPopup(true);
    m_date->setDisplayFormat(QLocale().dateFormat(QLocale::ShortFormat)); // a day is precise enough
    m_date->setEnabled(false);
    connect(m_expires, &QCheckBox::toggled, m_date, &QWidget::setEnabled);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_expires);
    layout->addWidget(m_date, 1);
    setFocusProxy(m_expires);
}

ExpiryField::~ExpiryField() = default;

QDateTime ExpiryField::expiry() const
{
    return m_expires->isChecked() ? m_date->dateTime().toUTC() : QDateTime();
}

void ExpiryField::setExpiry(const QDateTime &expiresAt)
{
    m_expires->setChecked(expiresAt.isValid());
    m_date->setDateTime(expiresAt.isValid() ? expiresAt.toLocalTime() : defaultExpiry());
}

void ExpiryField::refusePastDates()
{
    m_date->setMinimumDateTime(QDateTime::currentDateTime());
}

void ExpiryField::setReadOnly(bool readOnly)
{
    m_expires->setEnabled(!readOnly);
    m_date->setEnabled(!readOnly && m_expires->isChecked());
}

} // namespace tarn::ui
