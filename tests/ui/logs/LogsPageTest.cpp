// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/logs/LogsPage.h"

#include "ui/logs/RequestLogColumns.h"
#include "ui/logs/RequestLogModel.h"
#include "ui/NumberFormat.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"

#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/UsageRepository.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFontMetrics>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QTableView>
#include <QTest>

#include <QBrush>
#include <QScrollBar>
#include <QSignalSpy>

#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <ostream>

// Readable QString values in GoogleTest's failure messages.
inline void PrintTo(const QString &value, std::ostream *out)
{
    *out << '"' << value.toStdString() << '"';
}

using namespace tarn::gateway;
using tarn::ui::LogsPage;
using tarn::ui::RequestLogModel;

namespace {

constexpr int kTimeoutMs = 5000;

// The shared waits (tests/ui/support/UiWait.h) with this file's timeout.
#define WAIT_EQ(actual, expected) TARN_WAIT_EQ(actual, expected, kTimeoutMs)
#define WAIT_TRUE(condition) TARN_WAIT_TRUE(condition, kTimeoutMs)
constexpr int kSeeded = 500;

class LogsPageTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fixture.isValid());
        ClientKey meta;
        meta.name = QStringLiteral("laptop");
        ASSERT_TRUE(ClientKeyRepository(fixture.database()).create(meta).ok());
        Result<ClientKey> key = ClientKeyRepository(fixture.database()).findByName(meta.name);
        ASSERT_TRUE(key.ok());
        keyId = key->id;

        // Row i (oldest first): model m-a for even i, m-b for odd; channel alpha for i % 4 < 2;
        // every fifth an error; every third from the laptop key; anthropic clients for i % 10 == 0.
        QList<UsageRecord> rows;
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-kSeeded);
        for (int i = 0; i < kSeeded; ++i)
            rows.append(record(i, start.addSecs(i)));
        ASSERT_TRUE(UsageRepository(fixture.database()).insert(rows).ok());

        page = std::make_unique<LogsPage>(fixture.service());
        tester = std::make_unique<QAbstractItemModelTester>(page->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        page->resize(1000, 600);
    }

    UsageRecord record(int i, const QDateTime &time) const
    {
        UsageRecord r;
        r.time = time;
        r.inboundFormat = i % 10 == 0 ? QStringLiteral("anthropic") : QStringLiteral("openai");
        r.endpoint = QStringLiteral("/v1/chat/completions");
        r.requestedModel = i % 2 == 0 ? QStringLiteral("m-a") : QStringLiteral("m-b");
        r.channelName = i % 4 < 2 ? QStringLiteral("alpha") : QStringLiteral("beta");
        r.channelId = i % 4 < 2 ? 1 : 2;
        r.upstreamModel = r.requestedModel;
        r.clientKeyId = i % 3 == 0 ? keyId : 0;
        r.status = i % 5 == 0 ? 502 : 200;
        r.error = i % 5 == 0 ? QStringLiteral("upstream failed") : QString();
        r.promptTokens = 100 + i;
        r.completionTokens = 10;
        r.reasoningTokens = i % 2 ? 4 : 0; // part of the 10 output tokens
        r.latencyMs = 1500;
        r.ttftMs = 300;
        r.attempts = 1;
        r.attemptLog = {{r.channelId, r.channelName, QStringLiteral("k-1"), r.status, r.error, 1400}};
        return r;
    }

    RequestLogModel *model() const { return page->model(); }
    QString cell(int row, int column) const { return model()->index(row, column).data().toString(); }
    void choose(const char *comboName, const QString &text)
    {
        auto *combo = page->findChild<QComboBox *>(QLatin1String(comboName));
        ASSERT_NE(combo, nullptr);
        WAIT_TRUE(combo->findText(text) >= 0);
        combo->setCurrentIndex(combo->findText(text));
    }
    void waitIdle() { WAIT_TRUE(!model()->isLoading()); }

    tarn::test::DesktopFixture fixture;
    qint64 keyId = 0;
    std::unique_ptr<LogsPage> page;
    std::unique_ptr<QAbstractItemModelTester> tester;
};

TEST_F(LogsPageTest, LoadsTheNewestPageWhenShownAndOlderPagesOnDemand)
{
    EXPECT_EQ(model()->rowCount(), 0); // nothing is read before the page is shown
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    // Newest first: the last seeded row (i = 499: m-b, beta, success, no key) on top.
    EXPECT_GT(model()->rowAt(0).record.id, model()->rowAt(1).record.id);
    EXPECT_EQ(cell(0, RequestLogModel::Route), QStringLiteral("m-b → beta"));
    EXPECT_EQ(cell(0, RequestLogModel::Status), QStringLiteral("200"));
    EXPECT_EQ(cell(0, RequestLogModel::Client), QStringLiteral("local"));
    EXPECT_EQ(cell(0, RequestLogModel::Inbound), QStringLiteral("openai"));
    EXPECT_EQ(cell(0, RequestLogModel::Latency), QStringLiteral("1.50 s"));
    EXPECT_EQ(cell(0, RequestLogModel::Ttft), QStringLiteral("300 ms"));
    EXPECT_EQ(cell(0, RequestLogModel::Tokens), QStringLiteral("599 / 10 / 0 / 4"));
    EXPECT_EQ(tarn::ui::formatTokens(23481), QStringLiteral("23.5k"));
    EXPECT_EQ(cell(1, RequestLogModel::Tokens), QStringLiteral("598 / 10 / 0 / 0"));
    EXPECT_EQ(model()->headerData(RequestLogModel::Tokens, Qt::Horizontal).toString(), QStringLiteral("Tokens"));
    EXPECT_TRUE(model()->headerData(RequestLogModel::Tokens, Qt::Horizontal, Qt::ToolTipRole).toString().startsWith(
        QStringLiteral("Input / output / cached / reasoning tokens.")));
    EXPECT_EQ(model()->index(0, RequestLogModel::Tokens).data(Qt::ToolTipRole).toString(),
              QStringLiteral("Input: 599 tokens, 0 of them cached\nOutput: 10 tokens, 4 of them reasoning"));
    // i = 498: from the laptop key (498 % 3 == 0).
    EXPECT_EQ(cell(1, RequestLogModel::Client), QStringLiteral("laptop"));

    ASSERT_TRUE(model()->canFetchMore({}));
    model()->fetchMore({});
    WAIT_EQ(model()->rowCount(), 2 * RequestLogModel::kPageSize);
    model()->fetchMore({});
    WAIT_EQ(model()->rowCount(), kSeeded);
    waitIdle();
    EXPECT_FALSE(model()->canFetchMore({}));
    for (int row = 1; row < model()->rowCount(); ++row)
        ASSERT_GT(model()->rowAt(row - 1).record.id, model()->rowAt(row).record.id);
}

TEST_F(LogsPageTest, FiltersNarrowTheRowsAndReload)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);

    choose("statusFilter", QStringLiteral("Error"));
    waitIdle();
    EXPECT_EQ(model()->rowCount(), kSeeded / 5);
    for (int row = 0; row < model()->rowCount(); ++row)
        ASSERT_EQ(cell(row, RequestLogModel::Status), QStringLiteral("502 upstream failed"));

    choose("channelFilter", QStringLiteral("alpha")); // errors on alpha: i % 20 is 0 or 5
    waitIdle();
    EXPECT_EQ(model()->rowCount(), 50);
    EXPECT_EQ(cell(0, RequestLogModel::Route), QStringLiteral("m-b → alpha"));

    choose("modelFilter", QStringLiteral("m-a")); // i % 20 == 0
    waitIdle();
    EXPECT_EQ(model()->rowCount(), 25);
    EXPECT_EQ(cell(0, RequestLogModel::Inbound), QStringLiteral("anthropic"));

    choose("statusFilter", QStringLiteral("Any"));
    choose("channelFilter", QStringLiteral("All"));
    choose("modelFilter", QStringLiteral("All"));
    choose("clientFilter", QStringLiteral("laptop"));
    waitIdle();
    EXPECT_EQ(model()->rowCount(), 167); // i % 3 == 0
    for (int row = 0; row < model()->rowCount(); ++row)
        ASSERT_EQ(cell(row, RequestLogModel::Client), QStringLiteral("laptop"));
    choose("formatFilter", QStringLiteral("anthropic")); // i % 30 == 0
    waitIdle();
    EXPECT_EQ(model()->rowCount(), 17);
}

TEST_F(LogsPageTest, ARequestArrivingWhileShownAppearsAtTheTop)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    const qint64 newestBefore = model()->rowAt(0).record.id;

    UsageRecord late = record(1, QDateTime::currentDateTimeUtc());
    late.requestedModel = QStringLiteral("late-model");
    late.upstreamModel = QStringLiteral("late-upstream");
    late.status = 200;
    late.error.clear();
    ASSERT_TRUE(UsageRepository(fixture.database()).insert({late}).ok());

    WAIT_EQ(cell(0, RequestLogModel::Route), QStringLiteral("late-model → alpha / late-upstream"));
    EXPECT_EQ(model()->rowCount(), RequestLogModel::kPageSize + 1);
    EXPECT_EQ(model()->rowAt(1).record.id, newestBefore);

    // For review: the page as a user sees it.
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(page->grab().save(dir.filePath(QStringLiteral("logs-page.png"))));
}

TEST_F(LogsPageTest, TheAttemptsColumnShowsTheFailoverChain)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    ASSERT_FALSE(model()->rowAt(0).record.attemptLog.isEmpty()) << "the request log reads usage.attempt_log";
    EXPECT_EQ(cell(0, RequestLogModel::Attempts), QStringLiteral("beta"));
    EXPECT_EQ(cell(4, RequestLogModel::Attempts), QStringLiteral("beta (502)")); // i = 495

    UsageRecord late = record(1, QDateTime::currentDateTimeUtc());
    late.attempts = 2;
    late.attemptLog = {{1, QStringLiteral("alpha"), QStringLiteral("k-1"), 429, QStringLiteral("rate limited"), 20},
                       {2, QStringLiteral("beta"), QStringLiteral("k-2"), 200, QString(), 900}};
    ASSERT_TRUE(UsageRepository(fixture.database()).insert({late}).ok());
    WAIT_EQ(cell(0, RequestLogModel::Attempts), QStringLiteral("alpha (429) → beta"));
    EXPECT_TRUE(model()->index(0, RequestLogModel::Attempts).data(Qt::ToolTipRole).toString().contains(QStringLiteral("rate limited")));
}

// The details pane spells out what the cells shorten: each attempt of a failover with its key,
// status, time and error, the token split with names, and the route in full.
TEST_F(LogsPageTest, TheDetailsPaneShowsTheSelectedRequestInFull)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    EXPECT_TRUE(page->detailsText().startsWith(QStringLiteral("Select a request"))) << page->detailsText().toStdString();

    UsageRecord late = record(1, QDateTime::currentDateTimeUtc());
    late.requestedModel = QStringLiteral("claude-sonnet-4-5");
    late.upstreamModel = QStringLiteral("anthropic/claude-sonnet-4.5");
    late.channelName = QStringLiteral("beta");
    late.attempts = 2;
    late.promptTokens = 12345;
    late.cachedTokens = 2000;
    late.completionTokens = 678;
    late.reasoningTokens = 90;
    late.attemptLog = {{1, QStringLiteral("alpha"), QStringLiteral("k-1"), 429,
                        QStringLiteral("rate limited: try again in 20 s (a long provider message that no cell holds)"), 20},
                       {2, QStringLiteral("beta"), QStringLiteral("k-2"), 200, QString(), 900}};
    ASSERT_TRUE(UsageRepository(fixture.database()).insert({late}).ok());
    WAIT_EQ(model()->rowAt(0).record.requestedModel, QStringLiteral("claude-sonnet-4-5"));

    page->view()->selectRow(0);
    const QString details = page->detailsText();
    for (const char *expected :
         {"Model claude-sonnet-4-5 → beta as anthropic/claude-sonnet-4.5",
          "Attempt 1: alpha, key k-1 – 429 in 20 ms: rate limited: try again in 20 s (a long provider message that no cell holds)",
          "Attempt 2: beta, key k-2 – 200 in 900 ms", "Tokens: input 12,345 (2,000 cached) · output 678 (90 reasoning)",
          "local · openai /v1/chat/completions"}) {
        EXPECT_TRUE(details.contains(QString::fromUtf8(expected))) << expected << "\n in \n" << details.toStdString();
    }

    // Another row replaces it; a new filter (a reset) asks for a selection again.
    page->view()->selectRow(1);
    EXPECT_FALSE(page->detailsText().contains(QStringLiteral("Attempt 2")));
    choose("statusFilter", QStringLiteral("Error"));
    WAIT_TRUE(page->detailsText().startsWith(QStringLiteral("Select a request")));
}

// A narrow route cell keeps the arrow and the channel and shortens the model; only when even the
// channel does not fit does it give way, after a few letters of the model.
TEST(RequestLogRouteElision, TheModelGivesWayBeforeTheChannel)
{
    const QFontMetrics metrics(QApplication::font());
    const QString route = QStringLiteral("claude-sonnet-4-5-20250929 → openrouter");
    using tarn::ui::RequestLogColumns;
    EXPECT_EQ(RequestLogColumns::elideRoute(route, metrics, metrics.horizontalAdvance(route)), route);
    for (int width = metrics.horizontalAdvance(QStringLiteral("cla… → openrouter"));
         width < metrics.horizontalAdvance(route); width += 3) {
        const QString shown = RequestLogColumns::elideRoute(route, metrics, width);
        SCOPED_TRACE(shown.toStdString());
        EXPECT_TRUE(shown.endsWith(QStringLiteral(" → openrouter")));
        EXPECT_TRUE(shown.contains(QChar(0x2026)));
        EXPECT_LE(metrics.horizontalAdvance(shown), width);
    }
    const QString tight = RequestLogColumns::elideRoute(route, metrics, metrics.horizontalAdvance(QStringLiteral("claude → op")));
    EXPECT_TRUE(tight.startsWith(QStringLiteral("cl"))) << tight.toStdString();
    EXPECT_TRUE(tight.contains(QStringLiteral(" →"))) << tight.toStdString();
    EXPECT_LE(metrics.horizontalAdvance(tight), metrics.horizontalAdvance(QStringLiteral("claude → op")));
    // No arrow (a request that reached no channel): the middle elides.
    const QString plain = QStringLiteral("claude-sonnet-4-5-20250929");
    EXPECT_EQ(RequestLogColumns::elideRoute(plain, metrics, 60), metrics.elidedText(plain, Qt::ElideMiddle, 60));
}

TEST_F(LogsPageTest, AHiddenPageDoesNotPoll)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    page->hide();
    ASSERT_TRUE(UsageRepository(fixture.database()).insert({record(2, QDateTime::currentDateTimeUtc())}).ok());
    QTest::qWait(LogsPage::kPollMs + 500);
    EXPECT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    page->show(); // showing again catches up at once
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize + 1);
}

TEST_F(LogsPageTest, TheViewFetchesMoreWhenScrolledToTheEnd)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    auto *view = page->findChild<QTableView *>(QStringLiteral("requestLogView"));
    ASSERT_NE(view, nullptr);
    view->scrollToBottom();
    WAIT_EQ(model()->rowCount(), 2 * RequestLogModel::kPageSize);
}

// In the default window (1000 px wide, a 180-px navigation column) with realistic rows, every
// column with bounded text (time, status code, tokens, durations, client format, the last) is at
// least as wide as its header and its widest cell, and nothing is left to scroll sideways for. The
// free-text columns (key name, route, attempts) share the rest, eliding in their middle when it
// is not enough; the route's tooltip has the whole of it. The status needs only its code; an
// error after it elides at its end.
TEST_F(LogsPageTest, EveryColumnIsReadableInTheDefaultWindow)
{
    ClientKey meta;
    meta.name = QStringLiteral("laptop-claude-code");
    ASSERT_TRUE(ClientKeyRepository(fixture.database()).create(meta).ok());
    const qint64 laptop = ClientKeyRepository(fixture.database()).findByName(meta.name)->id;
    QList<UsageRecord> rows;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < 3; ++i) {
        UsageRecord r = record(i, now.addSecs(i + 1));
        r.clientKeyId = laptop;
        r.inboundFormat = QStringLiteral("responses");
        r.requestedModel = r.upstreamModel = i == 0 ? QStringLiteral("claude-sonnet-4-5") : QStringLiteral("deepseek-reasoner");
        r.channelName = i == 0 ? QStringLiteral("anthropic") : QStringLiteral("deepseek");
        r.promptTokens = 123456;
        r.completionTokens = 23456;
        r.cachedTokens = 101000;
        r.reasoningTokens = 12345;
        r.latencyMs = 12345;
        r.ttftMs = 1234;
        r.status = i == 2 ? 502 : 200;
        r.error = i == 2 ? QStringLiteral("upstream failed after three attempts") : QString();
        r.attemptLog = {{1, r.channelName, QStringLiteral("k-1"), r.status, r.error, 1400}};
        rows.append(r);
    }
    ASSERT_TRUE(UsageRepository(fixture.database()).insert(rows).ok());

    page->resize(1000 - 180, 600);
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    ASSERT_EQ(cell(0, RequestLogModel::Client), QStringLiteral("laptop-claude-code"));
    auto *view = page->findChild<QTableView *>(QStringLiteral("requestLogView"));
    ASSERT_NE(view, nullptr);
    QHeaderView *header = view->horizontalHeader();
    const QFontMetrics metrics = view->fontMetrics();
    const auto widest = [&](int column) {
        int width = 0;
        for (int row = 0; row < model()->rowCount(); ++row) {
            QString text = cell(row, column);
            if (column == RequestLogModel::Status)
                text = text.section(u' ', 0, 0);
            width = std::max(width, metrics.horizontalAdvance(text));
        }
        return width;
    };
    const auto contentWidth = [&](int column) {
        return std::max(header->sectionSizeHint(column), static_cast<QAbstractItemView *>(view)->sizeHintForColumn(column));
    };
    const QList<int> bounded = {RequestLogModel::Time,    RequestLogModel::Status, RequestLogModel::Tokens,
                                RequestLogModel::Latency, RequestLogModel::Ttft,   RequestLogModel::Inbound};
    // The fit runs once the rows are in.
    WAIT_TRUE(view->columnWidth(RequestLogModel::Tokens) > widest(RequestLogModel::Tokens));
    const int visible = view->viewport()->width();
    for (int column = 0; column < RequestLogModel::ColumnCount; ++column) {
        SCOPED_TRACE(model()->headerData(column, Qt::Horizontal).toString().toStdString());
        EXPECT_GE(header->sectionSize(column), header->sectionSizeHint(column));
        if (bounded.contains(column)) {
            EXPECT_GE(header->sectionSize(column), contentWidth(column));
            EXPECT_GT(header->sectionSize(column), widest(column));
        }
        EXPECT_LE(view->columnViewportPosition(column) + view->columnWidth(column), visible);
    }
    EXPECT_EQ(view->horizontalScrollBar()->maximum(), 0);
    // The free-text columns split what is left evenly, none cut below what it needs when it needs less.
    const int rest = visible - std::accumulate(bounded.cbegin(), bounded.cend(), 0, [&](int sum, int column) {
        return sum + header->sectionSize(column);
    });
    for (int column : {RequestLogModel::Client, RequestLogModel::Route, RequestLogModel::Attempts})
        EXPECT_GE(header->sectionSize(column), std::min(contentWidth(column), rest / 3 - 1)) << column;
    EXPECT_EQ(view->textElideMode(), Qt::ElideMiddle);
    EXPECT_TRUE(model()->index(0, RequestLogModel::Route).data(Qt::ToolTipRole).toString().startsWith(
        QStringLiteral("deepseek-reasoner → deepseek\n")));

    // Narrower than that, the bounded columns stay whole and the free-text ones keep their header.
    page->resize(600, 600);
    WAIT_TRUE(view->viewport()->width() < visible);
    WAIT_TRUE(header->sectionSize(RequestLogModel::Route) < widest(RequestLogModel::Route));
    for (int column : bounded)
        EXPECT_GE(header->sectionSize(column), contentWidth(column)) << column;
    for (int column : {RequestLogModel::Client, RequestLogModel::Route, RequestLogModel::Attempts})
        EXPECT_GE(header->sectionSize(column), header->sectionSizeHint(column)) << column;
}

TEST_F(LogsPageTest, AFailedRequestIsTintedAcrossItsRow)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    int failed = -1, good = -1;
    for (int row = 0; row < model()->rowCount() && (failed < 0 || good < 0); ++row)
        (model()->rowAt(row).record.status == 502 ? failed : good) = row;
    ASSERT_GE(failed, 0);
    for (int column = 0; column < RequestLogModel::ColumnCount; ++column) {
        EXPECT_TRUE(model()->index(failed, column).data(Qt::BackgroundRole).canConvert<QBrush>()) << column;
        EXPECT_FALSE(model()->index(good, column).data(Qt::BackgroundRole).isValid()) << column;
    }
}

TEST_F(LogsPageTest, RequestsWithoutAKeyAreFilterableApartFromAll)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    choose("clientFilter", QStringLiteral("This machine (no key)"));
    EXPECT_EQ(page->currentFilter().clientKeyId, RequestLogFilter::NoClientKey);
    waitIdle();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    for (int row = 0; row < model()->rowCount(); ++row)
        ASSERT_EQ(cell(row, RequestLogModel::Client), QStringLiteral("local")) << row;
    // The choice survives the key list being read again.
    page->refresh();
    waitIdle();
    EXPECT_EQ(page->currentFilter().clientKeyId, RequestLogFilter::NoClientKey);
}

TEST_F(LogsPageTest, NewRowsDoNotMoveTheRowsUnderAUserWhoScrolledDown)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    auto *view = page->findChild<QTableView *>(QStringLiteral("requestLogView"));
    view->scrollTo(model()->index(60, 0), QAbstractItemView::PositionAtTop);
    view->selectRow(65);
    const qint64 topId = view->indexAt(QPoint(1, 1)).data(RequestLogModel::IdRole).toLongLong();
    const qint64 selectedId = view->selectionModel()->selectedRows().value(0).data(RequestLogModel::IdRole).toLongLong();
    ASSERT_GT(topId, 0);
    QSignalSpy resets(model(), &QAbstractItemModel::modelReset);

    // One poll finds more new rows than a page holds: they go in without a reset.
    QList<UsageRecord> burst;
    for (int i = 0; i < 250; ++i)
        burst.append(record(i, QDateTime::currentDateTimeUtc()));
    ASSERT_TRUE(UsageRepository(fixture.database()).insert(burst).ok());
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize + 250);
    QCoreApplication::processEvents();
    EXPECT_EQ(resets.count(), 0);
    EXPECT_EQ(view->indexAt(QPoint(1, 1)).data(RequestLogModel::IdRole).toLongLong(), topId);
    ASSERT_EQ(view->selectionModel()->selectedRows().size(), 1);
    EXPECT_EQ(view->selectionModel()->selectedRows().value(0).data(RequestLogModel::IdRole).toLongLong(), selectedId);
    // No gap: ids run down by one from the newest.
    for (int row = 1; row < model()->rowCount(); ++row)
        ASSERT_EQ(model()->rowAt(row).record.id, model()->rowAt(row - 1).record.id - 1) << row;

    // At the top, new rows show.
    view->scrollToTop();
    const int before = model()->rowCount();
    ASSERT_TRUE(UsageRepository(fixture.database()).insert({record(3, QDateTime::currentDateTimeUtc())}).ok());
    WAIT_TRUE(model()->rowCount() > before);
    QCoreApplication::processEvents();
    EXPECT_EQ(view->indexAt(QPoint(1, 1)).row(), 0);
}

TEST_F(LogsPageTest, RefreshReadsNewRowsAtOnce)
{
    page->show();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize);
    ASSERT_TRUE(QMetaObject::invokeMethod(page.get(), "refresh")); // MainWindow's F5 finds it by name
    ASSERT_TRUE(UsageRepository(fixture.database()).insert({record(2, QDateTime::currentDateTimeUtc())}).ok());
    page->refresh();
    WAIT_EQ(model()->rowCount(), RequestLogModel::kPageSize + 1);
}

} // namespace
