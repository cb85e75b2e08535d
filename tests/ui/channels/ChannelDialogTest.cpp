// SPDX-License-Identifier: GPL-3.0-or-later
// The channel dialog on its own: validation with the command line's rules, keys revealed one at a
// time, models fetched from the provider, the limits tab, and the latency colour scale.
#include "tests/ui/channels/ChannelsTestFixture.h"

using namespace tarn::test;

namespace {

using ChannelDialogTest = ChannelsPageFixture;

TEST_F(ChannelDialogTest, FetchModelsListsWhatTheProviderServesAndTickingAddsIt)
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
    TARN_WAIT_EQ(list->count(), 2, kTimeoutMs);
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

TEST_F(ChannelDialogTest, RevealShowsOneKeyOnRequest)
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

TEST_F(ChannelDialogTest, ValidationKeepsOkDisabledAndSaysWhy)
{
    seed(QStringLiteral("taken"));
    showPage();
    TARN_WAIT_TRUE(page->model()->rowOf(QStringLiteral("taken")) >= 0, kTimeoutMs);
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

TEST_F(ChannelDialogTest, LimitsTabEditsProxyBudgetsAndPricesAndKeepsTheRest)
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

    TARN_WAIT_TRUE(!page->findChild<ChannelDialog *>() || !page->findChild<ChannelDialog *>()->isVisible(),
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

TEST_F(ChannelDialogTest, LatencyColoursFollowTheThresholds)
{
    EXPECT_EQ(ChannelTableModel::latencyColor(1000), ChannelTableModel::latencyColor(10));
    EXPECT_NE(ChannelTableModel::latencyColor(1001), ChannelTableModel::latencyColor(1000));
    EXPECT_EQ(ChannelTableModel::latencyColor(3000), ChannelTableModel::latencyColor(1001));
    EXPECT_NE(ChannelTableModel::latencyColor(3001), ChannelTableModel::latencyColor(3000));
    EXPECT_EQ(ChannelTableModel::latencyColor(5000), ChannelTableModel::latencyColor(3001));
    EXPECT_NE(ChannelTableModel::latencyColor(5001), ChannelTableModel::latencyColor(5000));
}

} // namespace
