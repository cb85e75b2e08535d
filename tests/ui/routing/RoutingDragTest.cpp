// SPDX-License-Identifier: GPL-3.0-or-later
// Priority by drag: a channel row dropped onto another tier of its pool, or between tiers, and
// the keyboard's Alt+Up / Alt+Down. Offscreen has no real drag, so the drag events a drop is made
// of are sent to the tier board as the window system would deliver them.
#include "ui/routing/RoutingPage.h"

#include "ui/routing/PoolView.h"
#include "ui/routing/TierBoard.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/storage/ChannelRepository.h"

#include <QCoreApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QGroupBox>
#include <QLabel>
#include <QMimeData>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>
#include <ostream>

inline void PrintTo(const QString &value, std::ostream *out)
{
    *out << '"' << value.toStdString() << '"';
}

using namespace tarn::gateway;
using tarn::ui::RoutingPage;
using tarn::ui::TierBoard;
using tarn::ui::TierDrop;

namespace {

constexpr int kTimeoutMs = 5000;
#define WAIT_EQ(actual, expected) TARN_WAIT_EQ(actual, expected, kTimeoutMs)
#define WAIT_TRUE(condition) TARN_WAIT_TRUE(condition, kTimeoutMs)
const QString kModel = QStringLiteral("gpt-test");

class RoutingDragTest : public ::testing::Test
{
protected:
    // Channels alpha, beta, gamma serve kModel (weights 1, 1, 2) at the given priorities;
    // delta serves another pool only.
    void start(int alpha, int beta, int gamma)
    {
        ASSERT_TRUE(fixture.isValid());
        ChannelRepository channels(fixture.database());
        const QList<std::tuple<QString, double, int, QString>> seeds{
            {QStringLiteral("alpha"), 1.0, alpha, kModel}, {QStringLiteral("beta"), 1.0, beta, kModel},
            {QStringLiteral("gamma"), 2.0, gamma, kModel}, {QStringLiteral("delta"), 1.0, 0, QStringLiteral("other")}};
        for (const auto &[name, weight, priority, model] : seeds) {
            Channel c;
            c.name = name;
            c.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
            c.keys = {QStringLiteral("sk-") + name};
            c.models = {model};
            c.weight = weight;
            c.priority = priority;
            Result<qint64> id = channels.add(c);
            ASSERT_TRUE(id.ok());
            ids.insert(name, *id);
        }
        ASSERT_TRUE(fixture.gateway().config().reload().ok());
        page = std::make_unique<RoutingPage>(fixture.service());
        page->selectPool(kModel);
        page->resize(900, 600);
        page->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(page.get()));
        board = page->findChild<TierBoard *>(QStringLiteral("tierBoard"));
        ASSERT_NE(board, nullptr);
    }

    QString share(const QString &channel) const
    {
        auto *label = page->findChild<QLabel *>(QStringLiteral("share:") + channel);
        return label ? label->text() : QStringLiteral("<missing>");
    }
    int livePriority(const QString &name) const
    {
        for (const Channel &c : fixture.gateway().config().snapshot()->channels) {
            if (c.name == name)
                return c.priority;
        }
        return -9999;
    }
    int storedPriority(const QString &name)
    {
        Result<Channel> c = ChannelRepository(fixture.database()).findByName(name);
        return c ? c->priority : -9999;
    }
    // The tier box (its priority) that holds the channel's row, or "" when it is not shown.
    QString tierOf(const QString &channel) const
    {
        auto *row = page->findChild<QWidget *>(QStringLiteral("channelRow:") + channel);
        return row && row->parentWidget() ? row->parentWidget()->objectName() : QString();
    }

    // Drags channel from the pool over pos and drops it there, as the window system delivers it.
    // Returns whether the board accepted the drop.
    bool dragAndDrop(const QString &pool, const QString &channel, const QPoint &pos)
    {
        std::unique_ptr<QMimeData> mime(TierBoard::createMimeData(pool, ids.value(channel)));
        QDragEnterEvent enter(pos, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(board, &enter);
        if (!enter.isAccepted())
            return false;
        QDragMoveEvent move(pos, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(board, &move);
        if (!move.isAccepted())
            return false;
        QDropEvent drop(QPointF(pos), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(board, &drop);
        return drop.isAccepted();
    }
    QPoint centreOf(QWidget *widget) const { return widget->mapTo(board, widget->rect().center()); }

    tarn::test::DesktopFixture fixture;
    QHash<QString, qint64> ids;
    std::unique_ptr<RoutingPage> page;
    TierBoard *board = nullptr;
};

TEST_F(RoutingDragTest, DroppingARowOnAnotherTierJoinsItAndReachesTheRouter)
{
    start(0, 0, -1);
    ASSERT_EQ(board->tierCount(), 2);
    EXPECT_EQ(tierOf(QStringLiteral("gamma")), QStringLiteral("tier:-1"));
    EXPECT_EQ(share(QStringLiteral("alpha")), QStringLiteral("50 %"));
    EXPECT_EQ(share(QStringLiteral("gamma")), QStringLiteral("100 %"));

    // While hovering the top tier, the board says where the drop would go.
    EXPECT_EQ(board->dropAt(centreOf(board->tier(0))), (TierDrop{0, false}));
    ASSERT_TRUE(dragAndDrop(kModel, QStringLiteral("gamma"), centreOf(board->tier(0))));

    WAIT_EQ(livePriority(QStringLiteral("gamma")), 0);
    EXPECT_EQ(storedPriority(QStringLiteral("gamma")), 0);
    WAIT_EQ(board->tierCount(), 1);
    EXPECT_EQ(tierOf(QStringLiteral("gamma")), QStringLiteral("tier:0"));
    EXPECT_EQ(share(QStringLiteral("alpha")), QStringLiteral("25 %"));
    EXPECT_EQ(share(QStringLiteral("beta")), QStringLiteral("25 %"));
    EXPECT_EQ(share(QStringLiteral("gamma")), QStringLiteral("50 %"));
    EXPECT_EQ(page->findChild<QSpinBox *>(QStringLiteral("priority:gamma"))->value(), 0);
    EXPECT_EQ(storedPriority(QStringLiteral("alpha")), 0); // nobody else moved
}

TEST_F(RoutingDragTest, DroppingInTheGapAboveMakesANewTopTier)
{
    start(0, 0, 0);
    ASSERT_EQ(board->tierCount(), 1);
    EXPECT_EQ(share(QStringLiteral("gamma")), QStringLiteral("50 %"));
    ASSERT_TRUE(dragAndDrop(kModel, QStringLiteral("gamma"), centreOf(board->gap(0))));

    WAIT_EQ(livePriority(QStringLiteral("gamma")), 1);
    EXPECT_EQ(storedPriority(QStringLiteral("gamma")), 1);
    WAIT_EQ(board->tierCount(), 2);
    EXPECT_EQ(tierOf(QStringLiteral("gamma")), QStringLiteral("tier:1"));
    EXPECT_EQ(board->tier(0)->objectName(), QStringLiteral("tier:1")); // highest first
    EXPECT_EQ(share(QStringLiteral("gamma")), QStringLiteral("100 %"));
    EXPECT_EQ(share(QStringLiteral("alpha")), QStringLiteral("50 %"));
    EXPECT_TRUE(qobject_cast<QGroupBox *>(board->tier(1))->title().contains(QStringLiteral("failover")));
}

TEST_F(RoutingDragTest, DroppingBetweenAdjacentTiersMovesTheLowerTiersDown)
{
    start(1, 0, 0);
    ASSERT_EQ(board->tierCount(), 2);
    // The gap between priority 1 (alpha) and 0 (beta, gamma): no whole number lies between them.
    ASSERT_TRUE(dragAndDrop(kModel, QStringLiteral("gamma"), centreOf(board->gap(1))));

    WAIT_EQ(livePriority(QStringLiteral("beta")), -1);
    EXPECT_EQ(livePriority(QStringLiteral("alpha")), 1);
    EXPECT_EQ(livePriority(QStringLiteral("gamma")), 0);
    EXPECT_EQ(storedPriority(QStringLiteral("beta")), -1);
    EXPECT_EQ(storedPriority(QStringLiteral("gamma")), 0);
    WAIT_EQ(board->tierCount(), 3);
    EXPECT_EQ(tierOf(QStringLiteral("alpha")), QStringLiteral("tier:1"));
    EXPECT_EQ(tierOf(QStringLiteral("gamma")), QStringLiteral("tier:0"));
    EXPECT_EQ(tierOf(QStringLiteral("beta")), QStringLiteral("tier:-1"));
    EXPECT_EQ(share(QStringLiteral("beta")), QStringLiteral("100 %"));
}

TEST_F(RoutingDragTest, HoveringShowsWhereTheDropWouldGo)
{
    start(0, 0, -1);
    std::unique_ptr<QMimeData> mime(TierBoard::createMimeData(kModel, ids.value(QStringLiteral("gamma"))));
    auto *gap = qobject_cast<QLabel *>(board->gap(0));
    ASSERT_NE(gap, nullptr);
    EXPECT_TRUE(gap->text().isEmpty());
    QDragEnterEvent enter(centreOf(gap), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(board, &enter);
    ASSERT_TRUE(enter.isAccepted());
    QDragMoveEvent overGap(centreOf(gap), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(board, &overGap);
    EXPECT_TRUE(gap->text().contains(QStringLiteral("New priority tier"))) << gap->text().toStdString();
    // Right above its own tier, where it is alone, a drop would change nothing: no target shown.
    auto *ownGap = qobject_cast<QLabel *>(board->gap(1));
    QDragMoveEvent overOwnGap(centreOf(ownGap), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(board, &overOwnGap);
    EXPECT_FALSE(overOwnGap.isAccepted());
    EXPECT_TRUE(ownGap->text().isEmpty());
    EXPECT_TRUE(gap->text().isEmpty());
    QCoreApplication::sendEvent(board, &overGap);

    // For review: the page mid-drag.
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(page->grab().save(dir.filePath(QStringLiteral("routing-drag.png"))));

    QDragMoveEvent overTier(centreOf(board->tier(0)), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(board, &overTier);
    EXPECT_TRUE(gap->text().isEmpty());
    EXPECT_EQ(board->tier(0)->backgroundRole(), QPalette::AlternateBase);
    QDragLeaveEvent leave;
    QCoreApplication::sendEvent(board, &leave);
    EXPECT_EQ(board->tier(0)->backgroundRole(), QPalette::Window);
    EXPECT_EQ(storedPriority(QStringLiteral("gamma")), -1); // hovering writes nothing
}

TEST_F(RoutingDragTest, ARowOfAnotherPoolIsRefused)
{
    start(0, 0, -1);
    EXPECT_FALSE(dragAndDrop(QStringLiteral("other"), QStringLiteral("delta"), centreOf(board->tier(0))));
    QMimeData text;
    text.setText(QStringLiteral("gamma"));
    QDragEnterEvent enter(centreOf(board->tier(0)), Qt::MoveAction, &text, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(board, &enter);
    EXPECT_FALSE(enter.isAccepted());
    QTest::qWait(50);
    EXPECT_EQ(storedPriority(QStringLiteral("delta")), 0);
    EXPECT_EQ(board->tierCount(), 2);
}

TEST_F(RoutingDragTest, AltUpAndDownMoveTheFocusedRowOneTier)
{
    start(0, 0, -1);
    page->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(page.get()));
    auto *slider = page->findChild<QSlider *>(QStringLiteral("weight:gamma"));
    ASSERT_NE(slider, nullptr);
    slider->setFocus();
    QTest::keyClick(slider, Qt::Key_Up, Qt::AltModifier);
    WAIT_EQ(livePriority(QStringLiteral("gamma")), 0);
    WAIT_EQ(tierOf(QStringLiteral("gamma")), QStringLiteral("tier:0"));
    EXPECT_EQ(storedPriority(QStringLiteral("gamma")), 0);
    EXPECT_EQ(share(QStringLiteral("gamma")), QStringLiteral("50 %"));

    // The moved row keeps the focus, so the keys can go on; from the only tier, down makes one.
    slider = page->findChild<QSlider *>(QStringLiteral("weight:gamma"));
    ASSERT_NE(slider, nullptr);
    EXPECT_TRUE(slider->hasFocus());
    WAIT_TRUE(slider->isVisible()); // a rebuilt row is shown on the next turn of the event loop
    QTest::keyClick(slider, Qt::Key_Down, Qt::AltModifier);
    WAIT_EQ(livePriority(QStringLiteral("gamma")), -1);
    WAIT_EQ(tierOf(QStringLiteral("gamma")), QStringLiteral("tier:-1"));
    EXPECT_EQ(share(QStringLiteral("gamma")), QStringLiteral("100 %"));

    // From the spin box too, and the weight slider's value did not move.
    auto *spin = page->findChild<QSpinBox *>(QStringLiteral("priority:gamma"));
    WAIT_TRUE(spin->isVisible());
    spin->setFocus();
    QTest::keyClick(spin, Qt::Key_Up, Qt::AltModifier);
    WAIT_EQ(livePriority(QStringLiteral("gamma")), 0);
    EXPECT_EQ(page->findChild<QSlider *>(QStringLiteral("weight:gamma"))->value(), 2);
}

TEST(PoolViewDropTest, PrioritiesForDropsAndSteps)
{
    using tarn::ui::PoolTierView;
    const QList<PoolTierView> tiers{{5, {{1, QStringLiteral("a"), 5, 1, {}}}},
                                    {2, {{2, QStringLiteral("b"), 2, 1, {}}, {3, QStringLiteral("c"), 2, 1, {}}}},
                                    {1, {{4, QStringLiteral("d"), 1, 1, {}}}}};
    using Moves = QHash<qint64, int>;
    EXPECT_EQ(tarn::ui::prioritiesForDrop(tiers, 4, {0, false}), (Moves{{4, 5}}));
    EXPECT_EQ(tarn::ui::prioritiesForDrop(tiers, 2, {1, false}), Moves{}); // already there
    EXPECT_EQ(tarn::ui::prioritiesForDrop(tiers, 4, {1, true}), (Moves{{4, 3}})); // between 5 and 2
    EXPECT_EQ(tarn::ui::prioritiesForDrop(tiers, 1, {0, true}), Moves{}); // alone: already its own
    EXPECT_EQ(tarn::ui::prioritiesForDrop(tiers, 2, {3, true}), (Moves{{2, 0}}));
    EXPECT_EQ(tarn::ui::prioritiesForDrop(tiers, 1, {2, true}), (Moves{{1, 1}, {4, 0}}));
    EXPECT_EQ(tarn::ui::prioritiesForDrop(tiers, 99, {0, false}), Moves{});
    EXPECT_EQ(tarn::ui::tierStep(tiers, 1, -1), std::nullopt);
    EXPECT_EQ(tarn::ui::tierStep(tiers, 2, -1), (TierDrop{0, false}));
    EXPECT_EQ(tarn::ui::tierStep(tiers, 4, 1), std::nullopt);
    EXPECT_EQ(tarn::ui::tierStep(tiers, 4, -1), (TierDrop{1, false}));
}

} // namespace
