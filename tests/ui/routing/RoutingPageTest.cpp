// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/routing/RoutingPage.h"

#include "ui/routing/PoolView.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/PoolRepository.h"
#include "gateway/storage/UsageRepository.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QGroupBox>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>
#include <ostream>

// Readable QString values in GoogleTest's failure messages.
inline void PrintTo(const QString &value, std::ostream *out)
{
    *out << '"' << value.toStdString() << '"';
}

using namespace tarn::gateway;
using tarn::ui::RoutingPage;

namespace {

constexpr int kTimeoutMs = 5000;

// The shared waits (tests/ui/support/UiWait.h) with this file's timeout.
#define WAIT_EQ(actual, expected) TARN_WAIT_EQ(actual, expected, kTimeoutMs)
#define WAIT_TRUE(condition) TARN_WAIT_TRUE(condition, kTimeoutMs)
const QString kModel = QStringLiteral("gpt-test");

class RoutingPageTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        ChannelRepository channels(fixture.database());
        for (const auto &[name, weight] : {std::pair{"alpha", 1.0}, std::pair{"beta", 1.0}, std::pair{"gamma", 2.0}}) {
            Channel c;
            c.name = QString::fromLatin1(name);
            c.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
            c.keys = {QStringLiteral("sk-") + c.name};
            c.models = {kModel};
            c.weight = weight;
            Result<qint64> id = channels.add(c);
            ASSERT_TRUE(id.ok());
            ids.insert(c.name, *id);
        }
        ASSERT_TRUE(fixture.gateway().config().reload().ok());
        page = std::make_unique<RoutingPage>(fixture.service());
        page->resize(900, 600);
        page->show();
    }

    template<typename T>
    T *child(const QString &name) const
    {
        T *widget = page->findChild<T *>(name);
        EXPECT_NE(widget, nullptr) << name.toStdString();
        return widget;
    }
    QString share(const char *channel) const { return child<QLabel>(QStringLiteral("share:") + QLatin1String(channel))->text(); }

    double liveWeight(const QString &name) const
    {
        for (const Channel &c : fixture.gateway().config().snapshot()->channels) {
            if (c.name == name)
                return c.weight;
        }
        return -1;
    }
    double storedWeight(const QString &name)
    {
        Result<Channel> c = ChannelRepository(fixture.database()).findByName(name);
        return c ? c->weight : -1;
    }

    tarn::test::DesktopFixture fixture;
    QHash<QString, qint64> ids;
    std::unique_ptr<RoutingPage> page;
};

TEST_F(RoutingPageTest, ShowsThePoolWithEachChannelsShareOfItsTier)
{
    auto *pools = child<QComboBox>(QStringLiteral("poolCombo"));
    ASSERT_NE(pools, nullptr);
    EXPECT_EQ(pools->count(), 1);
    EXPECT_EQ(pools->currentText(), kModel);
    EXPECT_EQ(share("alpha"), QStringLiteral("25 %"));
    EXPECT_EQ(share("beta"), QStringLiteral("25 %"));
    EXPECT_EQ(share("gamma"), QStringLiteral("50 %"));
    EXPECT_EQ(child<QSlider>(QStringLiteral("weight:gamma"))->value(), 2);
    EXPECT_EQ(child<QLabel>(QStringLiteral("weightValue:gamma"))->text(), QStringLiteral("2"));
    EXPECT_EQ(child<QSpinBox>(QStringLiteral("priority:alpha"))->value(), 0);
}

TEST_F(RoutingPageTest, MovingASliderUpdatesTheSharesAtOnceAndTheRouterAfterTheDebounce)
{
    auto *slider = child<QSlider>(QStringLiteral("weight:alpha"));
    ASSERT_NE(slider, nullptr);
    slider->setFocus();
    QTest::keyClick(slider, Qt::Key_Right); // 1 -> 2, as a user nudging the slider
    EXPECT_EQ(slider->value(), 2);
    EXPECT_EQ(child<QLabel>(QStringLiteral("weightValue:alpha"))->text(), QStringLiteral("2"));
    EXPECT_EQ(share("alpha"), QStringLiteral("40 %"));
    EXPECT_EQ(share("beta"), QStringLiteral("20 %"));
    EXPECT_EQ(share("gamma"), QStringLiteral("40 %"));

    // The drag goes on: the values in between are never written, only where it rests.
    slider->setValue(5);
    EXPECT_EQ(share("alpha"), QStringLiteral("63 %"));
    EXPECT_EQ(liveWeight(QStringLiteral("alpha")), 1.0);
    slider->setValue(6);
    EXPECT_EQ(share("alpha"), QStringLiteral("67 %"));
    EXPECT_EQ(share("beta"), QStringLiteral("11 %"));
    EXPECT_EQ(share("gamma"), QStringLiteral("22 %"));

    WAIT_EQ(liveWeight(QStringLiteral("alpha")), 6.0);
    EXPECT_EQ(storedWeight(QStringLiteral("alpha")), 6.0);
    EXPECT_EQ(storedWeight(QStringLiteral("beta")), 1.0);
    // The page survives its own write: same slider, same value.
    EXPECT_EQ(page->findChild<QSlider *>(QStringLiteral("weight:alpha")), slider);
    EXPECT_EQ(slider->value(), 6);
}

TEST_F(RoutingPageTest, WeightZeroIsALastResort)
{
    child<QSlider>(QStringLiteral("weight:gamma"))->setValue(0);
    EXPECT_EQ(share("gamma"), QStringLiteral("last resort"));
    EXPECT_EQ(share("alpha"), QStringLiteral("50 %"));
    WAIT_EQ(liveWeight(QStringLiteral("gamma")), 0.0);
}

TEST_F(RoutingPageTest, APriorityMovesTheChannelToAFailoverTier)
{
    child<QSpinBox>(QStringLiteral("priority:gamma"))->setValue(-1);
    WAIT_TRUE(page->findChild<QGroupBox *>(QStringLiteral("tier:-1")) != nullptr);
    auto *failover = page->findChild<QGroupBox *>(QStringLiteral("tier:-1"));
    EXPECT_TRUE(failover->title().contains(QStringLiteral("failover")));
    EXPECT_NE(failover->findChild<QSlider *>(QStringLiteral("weight:gamma")), nullptr);
    EXPECT_EQ(share("alpha"), QStringLiteral("50 %"));
    EXPECT_EQ(share("gamma"), QStringLiteral("100 %"));
    Result<Channel> gamma = ChannelRepository(fixture.database()).findByName(QStringLiteral("gamma"));
    ASSERT_TRUE(gamma.ok());
    EXPECT_EQ(gamma->priority, -1);
    EXPECT_EQ(gamma->weight, 2.0);
}

TEST_F(RoutingPageTest, StrategyAndStickinessArePerPoolAndApplied)
{
    auto *strategy = child<QComboBox>(QStringLiteral("strategyCombo"));
    auto *sticky = child<QCheckBox>(QStringLiteral("stickyCheck"));
    ASSERT_TRUE(strategy && sticky);
    EXPECT_TRUE(sticky->isChecked());
    strategy->setCurrentIndex(strategy->findData(QStringLiteral("latency")));
    EXPECT_EQ(share("alpha"), QStringLiteral("–"));
    EXPECT_TRUE(child<QLabel>(QStringLiteral("strategyNote"))->isVisibleTo(page.get()));
    sticky->setChecked(false);
    WAIT_TRUE(fixture.gateway().config().snapshot()->pools.value(kModel)
                                 == (PoolSettings{RoutingStrategy::Latency, false}));
    Result<QHash<QString, PoolSettings>> stored = PoolRepository(fixture.database()).list();
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->value(kModel), (PoolSettings{RoutingStrategy::Latency, false}));
}

TEST_F(RoutingPageTest, ShowsTheObservedShareOfTheLastHour)
{
    QList<UsageRecord> rows;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto request = [&](const QString &channel, const QDateTime &time, const QString &model = kModel) {
        UsageRecord r;
        r.time = time;
        r.inboundFormat = QStringLiteral("openai");
        r.requestedModel = model;
        r.channelId = ids.value(channel);
        r.channelName = channel;
        r.upstreamModel = model;
        r.status = 200;
        rows.append(r);
    };
    request(QStringLiteral("gamma"), now.addSecs(-2 * 3600)); // too old
    for (int i = 0; i < 3; ++i)
        request(QStringLiteral("alpha"), now.addSecs(-60 * i));
    request(QStringLiteral("beta"), now.addSecs(-300)); // a long request, written after newer ones
    request(QStringLiteral("gamma"), now.addSecs(-60), QStringLiteral("other")); // another pool
    ASSERT_TRUE(UsageRepository(fixture.database()).insert(rows).ok());

    // Changing pools (or the periodic refresh) reads it; re-showing the page does too.
    page->hide();
    page->show();
    WAIT_EQ(child<QLabel>(QStringLiteral("observed:alpha"))->text(), QStringLiteral("75 % last hour"));
    EXPECT_EQ(child<QLabel>(QStringLiteral("observed:beta"))->text(), QStringLiteral("25 % last hour"));
    EXPECT_EQ(child<QLabel>(QStringLiteral("observed:gamma"))->text(), QStringLiteral("0 % last hour"));

    // For review: the page as a user sees it.
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(page->grab().save(dir.filePath(QStringLiteral("routing-page.png"))));
}

TEST(PoolViewTest, TierSharesSkipLastResortWeights)
{
    const QList<std::optional<double>> shares = tarn::ui::tierShares({3, 0, 1});
    ASSERT_EQ(shares.size(), 3);
    EXPECT_DOUBLE_EQ(*shares[0], 0.75);
    EXPECT_FALSE(shares[1].has_value());
    EXPECT_DOUBLE_EQ(*shares[2], 0.25);
    EXPECT_EQ(tarn::ui::percentText(2.0 / 3.0), QStringLiteral("67 %"));
}

} // namespace
