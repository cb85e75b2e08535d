// SPDX-License-Identifier: GPL-3.0-or-later
// The Channels page driven like a user: the dialog adds and edits channels that land in the store,
// delete asks first, the table shows the router's live state, today's usage and a real test's latency.
#include "tests/ui/channels/ChannelsTestFixture.h"

#include <QHeaderView>
#include <QScrollBar>

using namespace tarn::test;

namespace {

using ChannelsPageTest = ChannelsPageFixture;

TEST_F(ChannelsPageTest, AddingThroughTheDialogShowsTheChannelAndStoresIt)
{
    showPage();
    ChannelDialog *dialog = openDialog("addChannelAction");
    ASSERT_NE(dialog, nullptr);
    auto *preset = child<QComboBox>(dialog, "presetCombo");
    preset->setCurrentIndex(preset->findText(QStringLiteral("DeepSeek")));
    EXPECT_EQ(child<QLineEdit>(dialog, "baseUrlEdit")->text(), QStringLiteral("https://api.deepseek.com/v1"));
    EXPECT_EQ(child<QLineEdit>(dialog, "modelsEdit")->text(), QStringLiteral("deepseek-chat, deepseek-reasoner"));
    EXPECT_EQ(child<QLineEdit>(dialog, "nameEdit")->text(), QStringLiteral("deepseek"));

    retype(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("ds-main"));
    auto *key = child<QLineEdit>(dialog, "keyEdit");
    EXPECT_EQ(key->echoMode(), QLineEdit::Password);
    QTest::keyClicks(key, QStringLiteral("sk-secret-1"));
    retype(child<QLineEdit>(dialog, "modelsEdit"), QStringLiteral("deepseek-chat"));
    QTest::keyClicks(child<QLineEdit>(dialog, "aliasesEdit"), QStringLiteral("fast=deepseek-chat"));
    ASSERT_TRUE(okButton(dialog)->isEnabled()) << dialog->validationError().toStdString();
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);

    TARN_WAIT_TRUE(page->model()->rowOf(QStringLiteral("ds-main")) >= 0, kTimeoutMs);
    EXPECT_EQ(cell(QStringLiteral("ds-main"), ChannelTableModel::Type), QStringLiteral("openai"));
    EXPECT_EQ(cell(QStringLiteral("ds-main"), ChannelTableModel::Models), QStringLiteral("deepseek-chat, fast"));
    TARN_WAIT_EQ(cell(QStringLiteral("ds-main"), ChannelTableModel::State), QStringLiteral("healthy"), kTimeoutMs);

    Result<Channel> stored = ChannelRepository(fixture.database()).findByName(QStringLiteral("ds-main"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->type, ChannelType::OpenAI);
    EXPECT_EQ(stored->baseUrl, QStringLiteral("https://api.deepseek.com/v1"));
    EXPECT_EQ(stored->keys, QStringList{QStringLiteral("sk-secret-1")});
    EXPECT_EQ(stored->models, QStringList{QStringLiteral("deepseek-chat")});
    EXPECT_EQ(stored->modelMap.value(QStringLiteral("fast")), QStringLiteral("deepseek-chat"));
    EXPECT_EQ(stored->weight, 1.0);
    EXPECT_TRUE(stored->enabled);
    // Applied to the running router at once, not at its next poll.
    EXPECT_TRUE(Router::servedModels(*fixture.gateway().config().snapshot()).contains(QStringLiteral("fast")));
}

TEST_F(ChannelsPageTest, EditingChangesTheStoredChannel)
{
    seed(QStringLiteral("alpha"));
    showPage();
    select(QStringLiteral("alpha"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    EXPECT_EQ(child<QLineEdit>(dialog, "nameEdit")->text(), QStringLiteral("alpha"));
    EXPECT_TRUE(okButton(dialog)->isEnabled()) << dialog->validationError().toStdString();
    child<QDoubleSpinBox>(dialog, "weightSpin")->setValue(3);
    retype(child<QLineEdit>(dialog, "modelsEdit"), QStringLiteral("gpt-test, gpt-other"));
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);

    TARN_WAIT_EQ(cell(QStringLiteral("alpha"), ChannelTableModel::Weight), QStringLiteral("3"), kTimeoutMs);
    Result<Channel> stored = ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->weight, 3.0);
    EXPECT_EQ(stored->models, (QStringList{QStringLiteral("gpt-test"), QStringLiteral("gpt-other")}));
    EXPECT_EQ(stored->keys, QStringList{QStringLiteral("sk-alpha")});
}

TEST_F(ChannelsPageTest, DuplicateAddsACopyUnderAFreeName)
{
    seed(QStringLiteral("alpha"));
    showPage();
    select(QStringLiteral("alpha"));
    ChannelDialog *dialog = openDialog("duplicateChannelAction");
    ASSERT_NE(dialog, nullptr);
    EXPECT_EQ(child<QLineEdit>(dialog, "nameEdit")->text(), QStringLiteral("alpha-copy"));
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    TARN_WAIT_TRUE(page->model()->rowOf(QStringLiteral("alpha-copy")) >= 0, kTimeoutMs);
    Result<Channel> copy = ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha-copy"));
    ASSERT_TRUE(copy.ok());
    EXPECT_EQ(copy->keys, QStringList{QStringLiteral("sk-alpha")});
}

TEST_F(ChannelsPageTest, DeleteAsksFirstAndRemovesOnYes)
{
    seed(QStringLiteral("alpha"));
    showPage();
    select(QStringLiteral("alpha"));
    answerMessageBox(QMessageBox::No);
    action("deleteChannelAction")->trigger();
    EXPECT_TRUE(ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha")).ok());

    answerMessageBox(QMessageBox::Yes);
    action("deleteChannelAction")->trigger();
    TARN_WAIT_EQ(page->model()->rowCount(), 0, kTimeoutMs);
    EXPECT_FALSE(ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha")).ok());
}

TEST_F(ChannelsPageTest, ToggleDisablesAndEnables)
{
    seed(QStringLiteral("alpha"));
    showPage();
    select(QStringLiteral("alpha"));
    EXPECT_EQ(action("toggleChannelAction")->text(), QStringLiteral("Disable"));
    action("toggleChannelAction")->trigger();
    TARN_WAIT_EQ(cell(QStringLiteral("alpha"), ChannelTableModel::State), QStringLiteral("disabled: turned off"),
                              kTimeoutMs);
    EXPECT_FALSE(ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha"))->enabled);
    EXPECT_EQ(action("toggleChannelAction")->text(), QStringLiteral("Enable"));
    action("toggleChannelAction")->trigger();
    TARN_WAIT_EQ(cell(QStringLiteral("alpha"), ChannelTableModel::State), QStringLiteral("healthy"), kTimeoutMs);
}

TEST_F(ChannelsPageTest, ModelPassesTheTesterAndUpdatesRowsInPlace)
{
    seed(QStringLiteral("alpha"));
    seed(QStringLiteral("beta"));
    showPage();
    QAbstractItemModelTester tester(page->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    TARN_WAIT_EQ(page->model()->rowCount(), 2, kTimeoutMs);

    QSignalSpy resets(page->model(), &QAbstractItemModel::modelReset);
    QSignalSpy changes(page->model(), &QAbstractItemModel::dataChanged);
    ASSERT_TRUE(ChannelRepository(fixture.database()).setEnabled(QStringLiteral("beta"), false).ok());
    page->refresh();
    TARN_WAIT_EQ(cell(QStringLiteral("beta"), ChannelTableModel::State), QStringLiteral("disabled: turned off"),
                              kTimeoutMs);
    EXPECT_EQ(resets.count(), 0);
    EXPECT_GE(changes.count(), 1);

    seed(QStringLiteral("gamma"));
    page->refresh();
    TARN_WAIT_EQ(page->model()->rowCount(), 3, kTimeoutMs);
    EXPECT_EQ(resets.count(), 1);
}

TEST_F(ChannelsPageTest, ShowsCooldownFromTheLiveRouter)
{
    ChannelBudget budget;
    budget.requestsPerMinute = 1;
    const qint64 id = seed(QStringLiteral("limited"), QStringLiteral("http://127.0.0.1:9/v1"), budget);
    // One request spends the minute's budget: the router cools the channel until the window moves.
    Router &router = fixture.gateway().router();
    const ConfigSnapshot config = fixture.gateway().config().snapshot();
    RouteRequest request;
    request.model = QStringLiteral("gpt-test");
    Result<RoutePlan> plan = router.plan(*config, request);
    ASSERT_TRUE(plan.ok());
    const auto candidate = router.next(*plan);
    ASSERT_TRUE(candidate.has_value());
    AttemptReport report;
    report.status = 200;
    report.verdict.kind = VerdictKind::Success;
    report.ttfbMs = 4200;
    router.recordAttempt(*plan, *candidate, report);

    QDateTime until;
    for (const ChannelStatus &s : fixture.gateway().routerStatus().channels) {
        if (s.channelId == id)
            until = s.cooldownUntil;
    }
    ASSERT_TRUE(until.isValid());
    showPage();
    const QString expected = QStringLiteral("cooling until ") + until.toLocalTime().toString(QStringLiteral("HH:mm"));
    TARN_WAIT_EQ(cell(QStringLiteral("limited"), ChannelTableModel::State), expected, kTimeoutMs);
    const int stateRow = page->model()->rowOf(QStringLiteral("limited"));
    EXPECT_EQ(page->model()->index(stateRow, ChannelTableModel::State).data(Qt::ForegroundRole).value<QColor>(),
              ChannelTableModel::latencyColor(4000));
    // 4.2 s to the first byte: yellow.
    const int row = page->model()->rowOf(QStringLiteral("limited"));
    EXPECT_EQ(page->model()->index(row, ChannelTableModel::Latency).data(Qt::ForegroundRole).value<QColor>(),
              ChannelTableModel::latencyColor(4500));
}

TEST_F(ChannelsPageTest, ShowsTodaysRequestsAndTokensPerChannel)
{
    const qint64 alpha = seed(QStringLiteral("alpha"));
    seed(QStringLiteral("beta"));
    auto record = [&](const QDateTime &time, qint64 prompt, qint64 completion) {
        UsageRecord r;
        r.time = time;
        r.inboundFormat = QStringLiteral("openai");
        r.requestedModel = QStringLiteral("gpt-test");
        r.channelId = alpha;
        r.channelName = QStringLiteral("alpha");
        r.status = 200;
        r.promptTokens = prompt;
        r.completionTokens = completion;
        return r;
    };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    ASSERT_TRUE(UsageRepository(fixture.database())
                    .insert({record(now, 1000, 200), record(now, 300, 34), record(now.addDays(-2), 5000, 5000)})
                    .ok());
    showPage();
    TARN_WAIT_EQ(cell(QStringLiteral("alpha"), ChannelTableModel::TodayRequests), QStringLiteral("2"), kTimeoutMs);
    EXPECT_EQ(cell(QStringLiteral("alpha"), ChannelTableModel::TodayTokens), QLocale().toString(qint64(1534)));
    EXPECT_EQ(cell(QStringLiteral("beta"), ChannelTableModel::TodayRequests), QStringLiteral("0"));
}

TEST_F(ChannelsPageTest, DoubleClickEdits)
{
    seed(QStringLiteral("alpha"));
    showPage();
    select(QStringLiteral("alpha"));
    auto *view = page->findChild<QTableView *>(QStringLiteral("channelTable"));
    const QModelIndex index = page->model()->index(0, ChannelTableModel::Name);
    const QPoint at = view->visualRect(index).center();
    // A double click is press, release, then a double-click event on the viewport.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
    ChannelDialog *dialog = nullptr;
    TARN_WAIT_TRUE((dialog = page->findChild<ChannelDialog *>()) != nullptr, kTimeoutMs);
    EXPECT_EQ(child<QLineEdit>(dialog, "nameEdit")->text(), QStringLiteral("alpha"));
    // Editing a stored channel names the provider it came from when the endpoint is a preset's.
    EXPECT_EQ(child<QComboBox>(dialog, "presetCombo")->currentText(), QStringLiteral("Custom"));
}

TEST_F(ChannelsPageTest, TestRunsARealRequestAndShowsTheLatency)
{
    tarn::test::MockUpstream upstream;
    seed(QStringLiteral("mocked"), upstream.baseUrl());
    seed(QStringLiteral("dead"), QStringLiteral("http://127.0.0.1:9/v1"));
    showPage();
    select(QStringLiteral("mocked"));
    action("testChannelAction")->trigger();
    auto *status = page->findChild<QLabel *>(QStringLiteral("channelsStatusLabel"));
    TARN_WAIT_TRUE(status->text().contains(QStringLiteral("passed in")), kTimeoutMs);
    EXPECT_EQ(upstream.requestCount(), 1);
    EXPECT_TRUE(cell(QStringLiteral("mocked"), ChannelTableModel::Latency).endsWith(QStringLiteral(" ms")));

    // The dialog tests the saved channel too, and says why a test failed.
    select(QStringLiteral("dead"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    QTest::mouseClick(child<QPushButton>(dialog, "testButton"), Qt::LeftButton);
    auto *result = child<QLabel>(dialog, "testResultLabel");
    TARN_WAIT_TRUE(result->text().startsWith(QStringLiteral("failed: ")), 15000);
}

// Pictures of the page and both dialog tabs for a person to review (build/test/tests/ui/screens).

TEST_F(ChannelsPageTest, SavesScreenshotsForReview)
{
    ChannelBudget budget;
    budget.requestsPerMinute = 1;
    const qint64 limited = seed(QStringLiteral("deepseek-main"), QStringLiteral("https://api.deepseek.com/v1"), budget);
    const qint64 coding = seed(QStringLiteral("zhipu-coding"), QStringLiteral("https://open.bigmodel.cn/api/coding/paas/v4"));
    seed(QStringLiteral("ollama-local"), QStringLiteral("http://127.0.0.1:11434/v1"));
    ASSERT_TRUE(ChannelRepository(fixture.database()).setEnabled(QStringLiteral("ollama-local"), false).ok());
    ASSERT_TRUE(fixture.gateway().config().reload().ok());
    Router &router = fixture.gateway().router();
    RouteRequest request;
    request.model = QStringLiteral("gpt-test");
    Result<RoutePlan> plan = router.plan(*fixture.gateway().config().snapshot(), request);
    ASSERT_TRUE(plan.ok());
    for (auto candidate = router.next(*plan); candidate; candidate = router.next(*plan)) {
        AttemptReport report;
        report.status = 200;
        report.verdict.kind = VerdictKind::Success;
        report.ttfbMs = candidate->channel->id == limited ? 2400 : 640;
        router.recordAttempt(*plan, *candidate, report);
        if (candidate->channel->id == limited)
            break;
    }
    showPage();
    TARN_WAIT_EQ(page->model()->rowCount(), 3, kTimeoutMs);
    page->model()->setBalance(coding, QStringLiteral("5 h: 72 % used · resets 14:20 · week 31 %"), QString(), 72);
    select(QStringLiteral("deepseek-main"));
    QTest::qWait(200);
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(page->grab().save(dir.filePath(QStringLiteral("channels-page.png"))));

    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("addKeyButton")), Qt::LeftButton);
    QTest::qWait(100);
    EXPECT_TRUE(dialog->grab().save(dir.filePath(QStringLiteral("channel-dialog.png"))));
    auto *tabs = dialog->findChild<QTabWidget *>(QStringLiteral("channelTabs"));
    tabs->setCurrentIndex(1);
    QTest::qWait(100);
    EXPECT_TRUE(dialog->grab().save(dir.filePath(QStringLiteral("channel-dialog-limits.png"))));
}

} // namespace

// A channel whose every key was refused says why in a few words (the HTTP status the router's
// reason names), not "every key is disabled"; the tooltip has the whole reason.
TEST(ChannelLiveState, EveryKeyRefusedShowsTheStatusShortly)
{
    Channel channel;
    channel.name = QStringLiteral("vllm-box");
    ChannelStatus status;
    status.state = HealthState::Disabled;
    status.reason = QStringLiteral("HTTP 401: Incorrect API key provided");
    EXPECT_EQ(ChannelTableModel::liveState(channel, &status).kind, ChannelTableModel::StateKind::Disabled);
    EXPECT_EQ(ChannelTableModel::liveState(channel, &status).text, QStringLiteral("disabled: HTTP 401"));
    status.reason = QStringLiteral("every key is disabled (HTTP 403: Forbidden)");
    EXPECT_EQ(ChannelTableModel::liveState(channel, &status).text, QStringLiteral("disabled: HTTP 403"));
    // A reason without a status stands whole.
    status.reason = QStringLiteral("disabled by the user");
    EXPECT_EQ(ChannelTableModel::liveState(channel, &status).text, QStringLiteral("disabled: disabled by the user"));
}

namespace {

using ChannelsPageLayoutTest = tarn::test::ChannelsPageFixture;

// In the default window (1000 px less the 180-px navigation) the models column keeps room for a
// model name and more, however wide the others' headers, and nothing scrolls sideways.
TEST_F(ChannelsPageLayoutTest, TheModelsColumnKeepsRoomInTheDefaultWindow)
{
    for (const char *name : {"anthropic", "openai", "openai-team", "deepseek", "zhipu", "openrouter"}) {
        Channel c;
        c.name = QString::fromLatin1(name);
        c.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
        c.keys = {QStringLiteral("sk-") + c.name};
        c.models = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4.1"), QStringLiteral("o4-mini")};
        seedChannel(c);
    }
    // One channel cooling down, as after a 429: the state column widens to "cooling until HH:mm".
    Router &router = fixture.gateway().router();
    RouteRequest request;
    request.model = QStringLiteral("gpt-4o");
    Result<RoutePlan> plan = router.plan(*fixture.gateway().config().snapshot(), request);
    ASSERT_TRUE(plan.ok());
    const auto candidate = router.next(*plan);
    ASSERT_TRUE(candidate.has_value());
    AttemptReport limited;
    limited.status = 429;
    limited.verdict.kind = VerdictKind::RateLimited;
    limited.verdict.retryAfterMs = 15 * 60 * 1000;
    router.recordAttempt(*plan, *candidate, limited);
    showPage();
    page->resize(1000 - 180, 600);
    TARN_WAIT_EQ(page->model()->rowCount(), 6, kTimeoutMs);
    auto *view = page->findChild<QTableView *>(QStringLiteral("channelTable"));
    ASSERT_NE(view, nullptr);
    const int needed = view->fontMetrics().horizontalAdvance(QStringLiteral("gpt-4o, gpt-4o-m…"));
    TARN_WAIT_TRUE(view->horizontalHeader()->sectionSize(ChannelTableModel::Models) >= needed, kTimeoutMs);
    EXPECT_EQ(view->horizontalScrollBar()->maximum(), 0);
}

} // namespace
