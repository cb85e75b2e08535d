// SPDX-License-Identifier: GPL-3.0-or-later
// A gateway whose store holds one request from ten minutes ago: enough for the Usage and Overview
// pages to draw every chart.
#pragma once

#include "gateway/storage/UsageRepository.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UsageRows.h"

#include <QDateTime>

#include <gtest/gtest.h>

namespace tarn::test {

class OneRequestFixture : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        ASSERT_TRUE(gateway::UsageRepository(fixture.database())
                        .insert({usageRow(now.addSecs(-600), QStringLiteral("alpha"), QStringLiteral("o3"), 200, 100, 50,
                                          0, 800, -1, 20)})
                        .ok());
    }

    DesktopFixture fixture;
};

} // namespace tarn::test
