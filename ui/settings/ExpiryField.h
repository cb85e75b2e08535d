// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QWidget>

class QCheckBox;
class QDateTimeEdit;

namespace tarn::ui {

// The "expiry" entry of a client key: an "Expires" check box and the date beside it. Unchecked,
// the key never expires; checked, it expires at the date shown (a day is precise enough).
class ExpiryField final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExpiryField)

public:
    explicit ExpiryField(QWidget *parent = nullptr);
    ~ExpiryField() override;

    // Invalid = never; otherwise in UTC, as ClientKey::expiresAt is stored.
    [[nodiscard]] QDateTime expiry() const;
    // Invalid = never (the date then offered is 90 days ahead, should the user tick Expires).
    void setExpiry(const QDateTime &expiresAt);
    // Dates before now can no longer be picked. A new key that is expired at once is of no use;
    // an existing key's stored date may already be past, so the edit dialog does not call this.
    void refusePastDates();
    void setReadOnly(bool readOnly);

private:
    QCheckBox *m_expires = nullptr;
    QDateTimeEdit *m_date = nullptr;
};

} // namespace tarn::ui
