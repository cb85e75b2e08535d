// SPDX-License-Identifier: GPL-3.0-or-later
// The editor's connection fields the command line could already set: extra headers (masked,
// revealable, checked as HTTP tokens, no duplicates), failover statuses (400-599) and the OpenAI
// API choice. A channel saved unchanged is stored unchanged; edits reach the store and the router.
#include "tests/ui/channels/ChannelsTestFixture.h"

#include <QDir>

using namespace tarn::test;

namespace {

using ChannelEditorFieldsTest = ChannelsPageFixture;

Channel connectionChannel(const QString &baseUrl)
{
    Channel c;
    c.name = QStringLiteral("codex");
    c.type = ChannelType::OpenAI;
    c.openAiApi = OpenAiApi::Responses;
    c.baseUrl = baseUrl;
    c.keys = {QStringLiteral("sk-codex-1")};
    c.models = {QStringLiteral("gpt-test")};
    c.extraHeaders = {{QStringLiteral("OpenAI-Organization"), QStringLiteral("org-secret-1")},
                      {QStringLiteral("X-Team"), QStringLiteral("tarn")}};
    c.failoverStatuses = {404, 400};
    c.priority = 3;
    c.weight = 2.5;
    c.testModel = QStringLiteral("gpt-test");
    return c;
}

QList<QLineEdit *> edits(QWidget *dialog, const char *name)
{
    return dialog->findChildren<QLineEdit *>(QString::fromLatin1(name));
}

TEST_F(ChannelEditorFieldsTest, SavingUnchangedKeepsTheStoredChannelIdentical)
{
    seedChannel(connectionChannel(QStringLiteral("http://127.0.0.1:9/v1")));
    const Channel before = stored(QStringLiteral("codex"));
    showPage();
    select(QStringLiteral("codex"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);

    // What the user sees: the API choice, the headers with their values masked, the statuses.
    auto *api = child<QComboBox>(dialog, "apiCombo");
    EXPECT_TRUE(api->isVisibleTo(dialog));
    EXPECT_EQ(api->currentText(), QStringLiteral("Responses API"));
    const QList<QLineEdit *> names = edits(dialog, "headerNameEdit");
    const QList<QLineEdit *> values = edits(dialog, "headerValueEdit");
    ASSERT_EQ(names.size(), 2);
    ASSERT_EQ(values.size(), 2);
    EXPECT_EQ(names.at(0)->text(), QStringLiteral("OpenAI-Organization"));
    EXPECT_EQ(values.at(0)->echoMode(), QLineEdit::Password);
    EXPECT_EQ(values.at(1)->echoMode(), QLineEdit::Password);
    EXPECT_EQ(child<QLineEdit>(dialog, "failoverEdit")->text(), QStringLiteral("404, 400"));
    // Revealing one value shows that one only.
    QTest::mouseClick(dialog->findChildren<QToolButton *>(QStringLiteral("revealHeaderButton")).at(0), Qt::LeftButton);
    EXPECT_EQ(values.at(0)->echoMode(), QLineEdit::Normal);
    EXPECT_EQ(values.at(1)->echoMode(), QLineEdit::Password);

    EXPECT_TRUE(dialog->channel() == before);
    ASSERT_TRUE(okButton(dialog)->isEnabled()) << dialog->validationError().toStdString();
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    TARN_WAIT_TRUE(dialogClosed(), kTimeoutMs);
    Channel after = stored(QStringLiteral("codex"));
    after.updatedAt = before.updatedAt; // the save itself is the only change
    EXPECT_TRUE(after == before);
    EXPECT_EQ(after.extraHeaders, before.extraHeaders);
    EXPECT_EQ(after.failoverStatuses, before.failoverStatuses);
    EXPECT_EQ(after.openAiApi, OpenAiApi::Responses);
}

TEST_F(ChannelEditorFieldsTest, EditsReachTheStoreAndTheRouter)
{
    tarn::test::MockUpstream upstream;
    seedChannel(connectionChannel(upstream.baseUrl()));
    showPage();
    select(QStringLiteral("codex"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);

    // Change one value, drop the other header, add a new one, switch to Chat Completions.
    QList<QLineEdit *> values = edits(dialog, "headerValueEdit");
    retype(values.at(0), QStringLiteral("org-secret-2"));
    QTest::mouseClick(dialog->findChildren<QToolButton *>(QStringLiteral("removeHeaderButton")).at(1), Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>(dialog, "addHeaderButton"), Qt::LeftButton);
    QTest::keyClicks(edits(dialog, "headerNameEdit").last(), QStringLiteral("X-Region"));
    QTest::keyClicks(edits(dialog, "headerValueEdit").last(), QStringLiteral("eu"));
    retype(child<QLineEdit>(dialog, "failoverEdit"), QStringLiteral("500, 502"));
    child<QComboBox>(dialog, "apiCombo")->setCurrentIndex(0);
    ASSERT_TRUE(okButton(dialog)->isEnabled()) << dialog->validationError().toStdString();
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    TARN_WAIT_TRUE(dialogClosed(), kTimeoutMs);

    const QMap<QString, QString> headers{{QStringLiteral("OpenAI-Organization"), QStringLiteral("org-secret-2")},
                                         {QStringLiteral("X-Region"), QStringLiteral("eu")}};
    const Channel saved = stored(QStringLiteral("codex"));
    EXPECT_EQ(saved.extraHeaders, headers);
    EXPECT_EQ(saved.failoverStatuses, (QList<int>{500, 502}));
    EXPECT_EQ(saved.openAiApi, OpenAiApi::Chat);

    // The running router has them: its snapshot, and a test through it sends the new headers
    // to the Chat Completions path.
    auto routerCopy = [&]() -> std::optional<Channel> {
        for (const Channel &c : fixture.gateway().config().snapshot()->channels) {
            if (c.name == u"codex")
                return c;
        }
        return std::nullopt;
    };
    TARN_WAIT_TRUE(routerCopy() && routerCopy()->extraHeaders == headers, kTimeoutMs);
    EXPECT_EQ(routerCopy()->failoverStatuses, (QList<int>{500, 502}));
    EXPECT_EQ(routerCopy()->openAiApi, OpenAiApi::Chat);
    select(QStringLiteral("codex"));
    dialog = nullptr;
    TARN_WAIT_TRUE(page->findChild<ChannelDialog *>() == nullptr, kTimeoutMs);
    dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    QTest::mouseClick(child<QPushButton>(dialog, "testButton"), Qt::LeftButton);
    auto *result = child<QLabel>(dialog, "testResultLabel");
    TARN_WAIT_TRUE(result->text().startsWith(QStringLiteral("passed in")), kTimeoutMs);
    EXPECT_EQ(upstream.lastRequest().path, QByteArray("/v1/chat/completions"));
    EXPECT_EQ(upstream.lastRequest().header("openai-organization"), QByteArray("org-secret-2"));
    EXPECT_EQ(upstream.lastRequest().header("x-region"), QByteArray("eu"));
    EXPECT_TRUE(upstream.lastRequest().header("x-team").isEmpty());
}

TEST_F(ChannelEditorFieldsTest, BadHeadersAndStatusesAreRefusedInline)
{
    seedChannel(connectionChannel(QStringLiteral("http://127.0.0.1:9/v1")));
    showPage();
    select(QStringLiteral("codex"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    auto *message = child<QLabel>(dialog, "validationLabel");
    auto *headerError = child<QLabel>(dialog, "headerErrorLabel");
    QLineEdit *name = edits(dialog, "headerNameEdit").at(1);

    retype(name, QStringLiteral("X Team"));
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_TRUE(message->text().contains(QStringLiteral("not a valid header name"))) << message->text().toStdString();
    EXPECT_FALSE(headerError->isHidden());
    EXPECT_EQ(headerError->text(), message->text());
    EXPECT_FALSE(name->styleSheet().isEmpty()); // the row itself is marked

    // Header names are case-insensitive: the same name twice is refused.
    retype(name, QStringLiteral("openai-organization"));
    EXPECT_FALSE(okButton(dialog)->isEnabled());
    EXPECT_TRUE(message->text().contains(QStringLiteral("given twice"))) << message->text().toStdString();

    retype(name, QStringLiteral("X-Team"));
    EXPECT_TRUE(okButton(dialog)->isEnabled()) << message->text().toStdString();
    EXPECT_TRUE(headerError->isHidden());
    EXPECT_TRUE(name->styleSheet().isEmpty());

    auto *failover = child<QLineEdit>(dialog, "failoverEdit");
    auto *failoverError = child<QLabel>(dialog, "failoverErrorLabel");
    for (const char *bad : {"399", "404, 600", "4o4"}) {
        retype(failover, QString::fromLatin1(bad));
        EXPECT_FALSE(okButton(dialog)->isEnabled()) << bad;
        EXPECT_FALSE(failoverError->isHidden()) << bad;
        EXPECT_TRUE(message->text().contains(QStringLiteral("400 to 599"))) << message->text().toStdString();
    }
    retype(failover, QStringLiteral("429"));
    EXPECT_TRUE(okButton(dialog)->isEnabled());
    EXPECT_TRUE(failoverError->isHidden());
}

TEST_F(ChannelEditorFieldsTest, ApiChoiceIsOnlyForOpenAiChannelsAndPresetsSetIt)
{
    showPage();
    ChannelDialog *dialog = openDialog("addChannelAction");
    ASSERT_NE(dialog, nullptr);
    auto *type = child<QComboBox>(dialog, "typeCombo");
    auto *api = child<QComboBox>(dialog, "apiCombo");
    EXPECT_TRUE(api->isVisibleTo(dialog));
    api->setCurrentIndex(1); // Responses
    type->setCurrentIndex(type->findData(int(ChannelType::Anthropic)));
    EXPECT_FALSE(api->isVisibleTo(dialog));
    EXPECT_EQ(dialog->channel().openAiApi, OpenAiApi::Chat); // an Anthropic channel never claims it
    type->setCurrentIndex(type->findData(int(ChannelType::OpenAI)));
    EXPECT_TRUE(api->isVisibleTo(dialog));

    auto *preset = child<QComboBox>(dialog, "presetCombo");
    preset->setCurrentIndex(preset->findText(QStringLiteral("OpenAI Codex (Responses API)")));
    EXPECT_EQ(api->currentText(), QStringLiteral("Responses API"));
    EXPECT_EQ(dialog->channel().openAiApi, OpenAiApi::Responses);
    preset->setCurrentIndex(preset->findText(QStringLiteral("DeepSeek")));
    EXPECT_EQ(api->currentText(), QStringLiteral("Chat Completions"));
}

// Pictures of both tabs with the new fields filled, for a person to review.
TEST_F(ChannelEditorFieldsTest, SavesScreenshotsForReview)
{
    seedChannel(connectionChannel(QStringLiteral("https://api.openai.com/v1")));
    showPage();
    select(QStringLiteral("codex"));
    ChannelDialog *dialog = openDialog("editChannelAction");
    ASSERT_NE(dialog, nullptr);
    QTest::qWait(100);
    const QDir dir(QStringLiteral(TARN_UI_SCREENS_DIR));
    ASSERT_TRUE(dir.mkpath(QStringLiteral(".")));
    EXPECT_TRUE(dialog->grab().save(dir.filePath(QStringLiteral("channel-dialog-api.png"))));
    child<QTabWidget>(dialog, "channelTabs")->setCurrentIndex(1);
    retype(child<QLineEdit>(dialog, "failoverEdit"), QStringLiteral("404, 399"));
    QTest::qWait(100);
    EXPECT_TRUE(dialog->grab().save(dir.filePath(QStringLiteral("channel-dialog-connection.png"))));
}

} // namespace
