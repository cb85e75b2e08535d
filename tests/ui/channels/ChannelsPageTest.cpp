// SPDX-License-Identifier: GPL-3.0-or-later
// The Channels page driven like a user: the dialog adds and edits channels that land in the store,
// delete asks first, the table shows the router's live state and a real test's latency.
#include "ui/channels/ChannelDialog.h"
#include "ui/channels/ChannelTableModel.h"
#include "ui/channels/ChannelsPage.h"

#include "tests/support/MockUpstream.h"
#include "tests/ui/support/DesktopFixture.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/routing/Router.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/UsageRepository.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <gtest/gtest.h>

#include <memory>

using namespace tarn::gateway;
using tarn::ui::ChannelDialog;
using tarn::ui::ChannelsPage;
using tarn::ui::ChannelTableModel;

namespace {

constexpr int kTimeoutMs = 5000;

class ChannelsPageTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(fixture.isValid()); }

    qint64 seed(const QString &name, const QString &baseUrl = QStringLiteral("http://127.0.0.1:9/v1"),
                const ChannelBudget &budget = {})
    {
        Channel c;
        c.name = name;
        c.baseUrl = baseUrl;
        c.keys = {QStringLiteral("sk-") + name};
        c.models = {QStringLiteral("gpt-test")};
        c.budget = budget;
        Result<qint64> id = ChannelRepository(fixture.database()).add(c);
        EXPECT_TRUE(id.ok());
        EXPECT_TRUE(fixture.gateway().config().reload().ok());
        return id ? *id : 0;
    }

    void showPage()
    {
        page = std::make_unique<ChannelsPage>(fixture.service());
        page->resize(1000, 600);
        page->show();
    }

    QString cell(const QString &channel, int column) const
    {
        const int row = page->model()->rowOf(channel);
        return row < 0 ? QString() : page->model()->index(row, column).data().toString();
    }

    void select(const QString &channel)
    {
        QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf(channel) >= 0, kTimeoutMs);
        page->findChild<QTableView *>(QStringLiteral("channelTable"))->selectRow(page->model()->rowOf(channel));
    }

    QAction *action(const char *name) const { return page->findChild<QAction *>(QString::fromLatin1(name)); }

    ChannelDialog *openDialog(const char *actionName)
    {
        action(actionName)->trigger();
        ChannelDialog *dialog = nullptr;
        [&] { QTRY_VERIFY_WITH_TIMEOUT((dialog = page->findChild<ChannelDialog *>()) != nullptr, kTimeoutMs); }();
        return dialog;
    }

    static QPushButton *okButton(ChannelDialog *dialog)
    {
        return dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }

    static void retype(QLineEdit *edit, const QString &text)
    {
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Backspace);
        QTest::keyClicks(edit, text);
    }

    template<typename T>
    static T *child(QWidget *parent, const char *name)
    {
        T *widget = parent->findChild<T *>(QString::fromLatin1(name));
        EXPECT_NE(widget, nullptr) << name;
        return widget;
    }

    // Answers the next message box with button once it is up (it runs its own event loop).
    static void answerMessageBox(QMessageBox::StandardButton button)
    {
        auto attempt = std::make_shared<std::function<void()>>();
        *attempt = [attempt, button] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box) {
                QTimer::singleShot(10, *attempt);
                return;
            }
            QTest::mouseClick(box->button(button), Qt::LeftButton);
        };
        QTimer::singleShot(0, *attempt);
    }

    tarn::test::DesktopFixture fixture;
    std::unique_ptr<ChannelsPage> page;
};

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

    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf(QStringLiteral("ds-main")) >= 0, kTimeoutMs);
    EXPECT_EQ(cell(QStringLiteral("ds-main"), ChannelTableModel::Type), QStringLiteral("openai"));
    EXPECT_EQ(cell(QStringLiteral("ds-main"), ChannelTableModel::Models), QStringLiteral("deepseek-chat, fast"));
    QTRY_COMPARE_WITH_TIMEOUT(cell(QStringLiteral("ds-main"), ChannelTableModel::State), QStringLiteral("healthy"), kTimeoutMs);

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

TEST_F(ChannelsPageTest, FetchModelsListsWhatTheProviderServesAndTickingAddsIt)
{
    tarn::test::MockUpstream upstream;
    showPage();
    ChannelDialog *dialog = openDialog("addChannelAction");
    ASSERT_NE(dialog, nullptr);
    auto *fetch = child<QPushButton>(dialog, "fetchModelsButton");
    EXPECT_FALSE(fetch->isEnabled()); // no base URL yet
    QTest::keyClicks(child<QLineEdit>(dialog, "baseUrlEdit"), upstream.baseUrl());
    QTest::keyClicks(child<QLineEdit>(dialog, "keyEdit"), QStringLiteral("sk-fetch"));
    ASSERT_TRUE(fetch->isEnabled());
    QTest::mouseClick(fetch, Qt::LeftButton);

    auto *list = child<QListWidget>(dialog, "fetchedModelsList");
    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 2, kTimeoutMs);
    EXPECT_TRUE(list->isVisible());
    EXPECT_EQ(upstream.lastRequest().method, QByteArray("GET"));
    EXPECT_EQ(upstream.lastRequest().path, QByteArray("/v1/models"));
    EXPECT_EQ(upstream.lastRequest().header("authorization"), QByteArray("Bearer sk-fetch"));
    QListWidgetItem *model = list->findItems(QStringLiteral("mock-model"), Qt::MatchExactly).value(0);
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->checkState(), Qt::Unchecked);
    model->setCheckState(Qt::Checked);
    EXPECT_EQ(child<QLineEdit>(dialog, "modelsEdit")->text(), QStringLiteral("mock-model"));
    model->setCheckState(Qt::Unchecked);
    EXPECT_EQ(child<QLineEdit>(dialog, "modelsEdit")->text(), QString());
}

TEST_F(ChannelsPageTest, RevealShowsOneKeyOnRequest)
{
    showPage();
    ChannelDialog *dialog = openDialog("addChannelAction");
    ASSERT_NE(dialog, nullptr);
    QTest::mouseClick(child<QPushButton>(dialog, "addKeyButton"), Qt::LeftButton);
    const QList<QLineEdit *> keys = dialog->findChildren<QLineEdit *>(QStringLiteral("keyEdit"));
    ASSERT_EQ(keys.size(), 2);
    const QList<QToolButton *> reveal = dialog->findChildren<QToolButton *>(QStringLiteral("revealKeyButton"));
    ASSERT_EQ(reveal.size(), 2);
    QTest::mouseClick(reveal.at(1), Qt::LeftButton);
    EXPECT_EQ(keys.at(0)->echoMode(), QLineEdit::Password);
    EXPECT_EQ(keys.at(1)->echoMode(), QLineEdit::Normal);
}

TEST_F(ChannelsPageTest, ValidationKeepsOkDisabledAndSaysWhy)
{
    seed(QStringLiteral("taken"));
    showPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf(QStringLiteral("taken")) >= 0, kTimeoutMs);
    ChannelDialog *dialog = openDialog("addChannelAction");
    ASSERT_NE(dialog, nullptr);
    auto *message = child<QLabel>(dialog, "validationLabel");
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_EQ(message->text(), QStringLiteral("Give the channel a name."));

    QTest::keyClicks(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("taken"));
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_TRUE(message->text().contains(QStringLiteral("already exists"))) << message->text().toStdString();

    retype(child<QLineEdit>(dialog, "nameEdit"), QStringLiteral("fresh"));
    QTest::keyClicks(child<QLineEdit>(dialog, "baseUrlEdit"), QStringLiteral("ftp://example.com"));
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_TRUE(message->text().startsWith(QStringLiteral("Invalid base URL"))) << message->text().toStdString();

    retype(child<QLineEdit>(dialog, "baseUrlEdit"), QStringLiteral("https://example.com/v1"));
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_EQ(message->text(), QStringLiteral("Give at least one model."));

    QTest::keyClicks(child<QLineEdit>(dialog, "modelsEdit"), QStringLiteral("m1"));
    EXPECT_TRUE(okButton(dialog)->isEnabled());
    EXPECT_TRUE(message->isHidden());
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

    QTRY_COMPARE_WITH_TIMEOUT(cell(QStringLiteral("alpha"), ChannelTableModel::Weight), QStringLiteral("3"), kTimeoutMs);
    Result<Channel> stored = ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->weight, 3.0);
    EXPECT_EQ(stored->models, (QStringList{QStringLiteral("gpt-test"), QStringLiteral("gpt-other")}));
    EXPECT_EQ(stored->keys, QStringList{QStringLiteral("sk-alpha")});
}

TEST_F(ChannelsPageTest, LimitsTabEditsProxyBudgetsAndPricesAndKeepsTheRest)
{
    ChannelBudget budget;
    budget.tokensPerDay = 5'000'000'000; // beyond a spin box: kept as stored unless edited
    seed(QStringLiteral("alpha"), QStringLiteral("http://127.0.0.1:9/v1"), budget);
    {
        Channel c = *ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha"));
        c.extraHeaders.insert(QStringLiteral("X-Org"), QStringLiteral("tarn"));
        c.price.inputPerMillion = 0.123456;
        ASSERT_TRUE(ChannelRepository(fixture.database()).update(c).ok());
    }
    showPage();
    select(QStringLiteral("alpha"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    auto *proxy = child<QLineEdit>(dialog, "proxyEdit");
    QTest::keyClicks(proxy, QStringLiteral("ftp://proxy"));
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_TRUE(child<QLabel>(dialog, "validationLabel")->text().startsWith(QStringLiteral("Invalid proxy URL")));
    retype(proxy, QStringLiteral("http://127.0.0.1:3128"));
    child<QSpinBox>(dialog, "rpmSpin")->setValue(60);
    child<QDoubleSpinBox>(dialog, "priceOutputSpin")->setValue(2.5);
    child<QComboBox>(dialog, "visionCombo")->setCurrentIndex(2); // off
    // Parameter overrides follow the command line's rules: messages belong to the client.
    auto *setParams = child<QPlainTextEdit>(dialog, "setParamsEdit");
    setParams->setPlainText(QStringLiteral("messages=[]"));
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_FALSE(child<QLabel>(dialog, "validationLabel")->text().isEmpty());
    setParams->setPlainText(QStringLiteral("temperature=1\ntool_choice=\"auto\""));
    child<QLineEdit>(dialog, "dropParamsEdit")->setText(QStringLiteral("top_p"));
    ASSERT_TRUE(okButton(dialog)->isEnabled()) << dialog->validationError().toStdString();
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);

    QTRY_VERIFY_WITH_TIMEOUT(!page->findChild<ChannelDialog *>() || !page->findChild<ChannelDialog *>()->isVisible(),
                             kTimeoutMs);
    Result<Channel> stored = ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha"));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->proxy, QStringLiteral("http://127.0.0.1:3128"));
    EXPECT_EQ(stored->budget.requestsPerMinute, 60);
    EXPECT_EQ(stored->budget.tokensPerDay, 5'000'000'000);
    EXPECT_EQ(stored->price.outputPerMillion, 2.5);
    EXPECT_EQ(stored->price.inputPerMillion, 0.123456);
    EXPECT_EQ(stored->capabilities.vision, CapabilityMode::Off);
    EXPECT_EQ(stored->extraHeaders.value(QStringLiteral("X-Org")), QStringLiteral("tarn"));
    EXPECT_EQ(stored->params.set.value(QStringLiteral("temperature")), QByteArray("1"));
    EXPECT_EQ(stored->params.set.value(QStringLiteral("tool_choice")), QByteArray("\"auto\""));
    EXPECT_EQ(stored->params.drop, QStringList{QStringLiteral("top_p")});
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
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf(QStringLiteral("alpha-copy")) >= 0, kTimeoutMs);
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
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 0, kTimeoutMs);
    EXPECT_FALSE(ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha")).ok());
}

TEST_F(ChannelsPageTest, ToggleDisablesAndEnables)
{
    seed(QStringLiteral("alpha"));
    showPage();
    select(QStringLiteral("alpha"));
    EXPECT_EQ(action("toggleChannelAction")->text(), QStringLiteral("Disable"));
    action("toggleChannelAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(cell(QStringLiteral("alpha"), ChannelTableModel::State), QStringLiteral("disabled: turned off"),
                              kTimeoutMs);
    EXPECT_FALSE(ChannelRepository(fixture.database()).findByName(QStringLiteral("alpha"))->enabled);
    EXPECT_EQ(action("toggleChannelAction")->text(), QStringLiteral("Enable"));
    action("toggleChannelAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(cell(QStringLiteral("alpha"), ChannelTableModel::State), QStringLiteral("healthy"), kTimeoutMs);
}

TEST_F(ChannelsPageTest, ModelPassesTheTesterAndUpdatesRowsInPlace)
{
    seed(QStringLiteral("alpha"));
    seed(QStringLiteral("beta"));
    showPage();
    QAbstractItemModelTester tester(page->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 2, kTimeoutMs);

    QSignalSpy resets(page->model(), &QAbstractItemModel::modelReset);
    QSignalSpy changes(page->model(), &QAbstractItemModel::dataChanged);
    ASSERT_TRUE(ChannelRepository(fixture.database()).setEnabled(QStringLiteral("beta"), false).ok());
    page->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(cell(QStringLiteral("beta"), ChannelTableModel::State), QStringLiteral("disabled: turned off"),
                              kTimeoutMs);
    EXPECT_EQ(resets.count(), 0);
    EXPECT_GE(changes.count(), 1);

    seed(QStringLiteral("gamma"));
    page->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 3, kTimeoutMs);
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
    QTRY_COMPARE_WITH_TIMEOUT(cell(QStringLiteral("limited"), ChannelTableModel::State), expected, kTimeoutMs);
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
    QTRY_COMPARE_WITH_TIMEOUT(cell(QStringLiteral("alpha"), ChannelTableModel::TodayRequests), QStringLiteral("2"), kTimeoutMs);
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
    QTRY_VERIFY_WITH_TIMEOUT((dialog = page->findChild<ChannelDialog *>()) != nullptr, kTimeoutMs);
    EXPECT_EQ(child<QLineEdit>(dialog, "nameEdit")->text(), QStringLiteral("alpha"));
    // Editing a stored channel names the provider it came from when the endpoint is a preset's.
    EXPECT_EQ(child<QComboBox>(dialog, "presetCombo")->currentText(), QStringLiteral("Custom"));
}

TEST_F(ChannelsPageTest, LatencyColoursFollowTheThresholds)
{
    EXPECT_EQ(ChannelTableModel::latencyColor(1000), ChannelTableModel::latencyColor(10));
    EXPECT_NE(ChannelTableModel::latencyColor(1001), ChannelTableModel::latencyColor(1000));
    EXPECT_EQ(ChannelTableModel::latencyColor(3000), ChannelTableModel::latencyColor(1001));
    EXPECT_NE(ChannelTableModel::latencyColor(3001), ChannelTableModel::latencyColor(3000));
    EXPECT_EQ(ChannelTableModel::latencyColor(5000), ChannelTableModel::latencyColor(3001));
    EXPECT_NE(ChannelTableModel::latencyColor(5001), ChannelTableModel::latencyColor(5000));
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
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("passed in")), kTimeoutMs);
    EXPECT_EQ(upstream.requestCount(), 1);
    EXPECT_TRUE(cell(QStringLiteral("mocked"), ChannelTableModel::Latency).endsWith(QStringLiteral(" ms")));

    // The dialog tests the saved channel too, and says why a test failed.
    select(QStringLiteral("dead"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    QTest::mouseClick(child<QPushButton>(dialog, "testButton"), Qt::LeftButton);
    auto *result = child<QLabel>(dialog, "testResultLabel");
    QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QStringLiteral("failed: ")), 15000);
}

} // namespace

namespace {

// Pictures of the page and both dialog tabs for a person to review (build/test/tests/ui/screens).
TEST_F(ChannelsPageTest, SavesScreenshotsForReview)
{
    ChannelBudget budget;
    budget.requestsPerMinute = 1;
    const qint64 limited = seed(QStringLiteral("deepseek-main"), QStringLiteral("https://api.deepseek.com/v1"), budget);
    seed(QStringLiteral("zhipu-coding"), QStringLiteral("https://open.bigmodel.cn/api/coding/paas/v4"));
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
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 3, kTimeoutMs);
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
