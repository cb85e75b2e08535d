// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/ui/settings/SettingsTestSupport.h"
#include "ui/settings/ExpiryField.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QTest>

#include <gtest/gtest.h>

using tarn::test::child;
using tarn::ui::ExpiryField;

namespace {

// Unticked means never: the date beside it is greyed out and not read.
TEST(ExpiryFieldTest, NeverUntilExpiresIsTicked)
{
    ExpiryField field;
    field.show();
    auto *check = child<QCheckBox>(&field, "expiresCheck");
    auto *date = child<QDateTimeEdit>(&field, "expiresEdit");
    ASSERT_NE(check, nullptr);
    ASSERT_NE(date, nullptr);
    EXPECT_FALSE(check->isChecked());
    EXPECT_FALSE(date->isEnabled());
    EXPECT_FALSE(field.expiry().isValid());

    // Ticking it offers a date 90 days ahead and reads it back in UTC, as the store keeps it.
    QTest::mouseClick(check, Qt::LeftButton, {}, QPoint(2, check->height() / 2));
    EXPECT_TRUE(check->isChecked());
    EXPECT_TRUE(date->isEnabled());
    const QDateTime expiry = field.expiry();
    ASSERT_TRUE(expiry.isValid());
    EXPECT_EQ(expiry.timeSpec(), Qt::UTC);
    EXPECT_EQ(expiry.toLocalTime().date(), QDate::currentDate().addDays(90));

    check->setChecked(false);
    EXPECT_FALSE(date->isEnabled());
    EXPECT_FALSE(field.expiry().isValid());
}

// A stored expiry shows ticked with its date, and comes back unchanged; an invalid one shows never.
TEST(ExpiryFieldTest, StoredExpiryReadsBack)
{
    ExpiryField field;
    const QDateTime stored(QDate(2031, 5, 17), QTime(12, 0), Qt::UTC);
    field.setExpiry(stored);
    EXPECT_TRUE(child<QCheckBox>(&field, "expiresCheck")->isChecked());
    EXPECT_TRUE(child<QDateTimeEdit>(&field, "expiresEdit")->isEnabled());
    EXPECT_EQ(child<QDateTimeEdit>(&field, "expiresEdit")->date(), stored.toLocalTime().date());
    EXPECT_EQ(field.expiry(), stored);

    field.setExpiry(QDateTime());
    EXPECT_FALSE(child<QCheckBox>(&field, "expiresCheck")->isChecked());
    EXPECT_FALSE(child<QDateTimeEdit>(&field, "expiresEdit")->isEnabled());
    EXPECT_FALSE(field.expiry().isValid());
}

// The create dialog refuses a date already past (the edit is clamped to now); the edit dialog
// keeps an existing key's past date as stored.
TEST(ExpiryFieldTest, PastDatesRefusedOnlyWhenAsked)
{
    const QDateTime lastWeek = QDateTime::currentDateTimeUtc().addDays(-7);

    ExpiryField editing;
    editing.setExpiry(lastWeek);
    EXPECT_EQ(editing.expiry(), lastWeek);

    ExpiryField creating;
    creating.refusePastDates();
    creating.setExpiry(lastWeek);
    ASSERT_TRUE(creating.expiry().isValid());
    EXPECT_GE(creating.expiry(), lastWeek.addDays(6));
    auto *date = child<QDateTimeEdit>(&creating, "expiresEdit");
    date->setDate(QDate::currentDate().addDays(-1));
    EXPECT_GE(date->date(), QDate::currentDate());
}

// Read-only (the key was created, its secret is showing) freezes both parts.
TEST(ExpiryFieldTest, ReadOnlyFreezesBothParts)
{
    ExpiryField field;
    field.setExpiry(QDateTime::currentDateTimeUtc().addDays(30));
    field.setReadOnly(true);
    EXPECT_FALSE(child<QCheckBox>(&field, "expiresCheck")->isEnabled());
    EXPECT_FALSE(child<QDateTimeEdit>(&field, "expiresEdit")->isEnabled());
    field.setReadOnly(false);
    EXPECT_TRUE(child<QCheckBox>(&field, "expiresCheck")->isEnabled());
    EXPECT_TRUE(child<QDateTimeEdit>(&field, "expiresEdit")->isEnabled());
}

} // namespace
