// SPDX-License-Identifier: GPL-3.0-or-later
// What the Channels page and dialog tests share: a real gateway, seeded channels, the page, and
// helpers to find and drive its widgets.
#pragma once

#include "ui/channels/ChannelDialog.h"
#include "ui/channels/ChannelTableModel.h"
#include "ui/channels/ChannelsPage.h"

#include "tests/support/MockUpstream.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/ui/support/DesktopFixture.h"
#include "tests/ui/support/UiWait.h"

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

namespace tarn::test {

using namespace tarn::gateway;
using tarn::ui::ChannelDialog;
using tarn::ui::ChannelsPage;
using tarn::ui::ChannelTableModel;

inline constexpr int kTimeoutMs = 5000;

class ChannelsPageFixture : public ::testing::Test
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

    // Stores channel as given (type, API, headers, ...) and loads it into the running gateway.
    qint64 seedChannel(const Channel &channel)
    {
        Result<qint64> id = ChannelRepository(fixture.database()).add(channel);
        EXPECT_TRUE(id.ok()) << (id ? std::string() : id.error().message.toStdString());
        EXPECT_TRUE(fixture.gateway().config().reload().ok());
        return id ? *id : 0;
    }

    Channel stored(const QString &name)
    {
        Result<Channel> c = ChannelRepository(fixture.database()).findByName(name);
        EXPECT_TRUE(c.ok()) << name.toStdString();
        return c ? *c : Channel{};
    }

    // Waits until the page's dialog has closed (after a save).
    bool dialogClosed() const
    {
        auto *dialog = page->findChild<ChannelDialog *>();
        return !dialog || !dialog->isVisible();
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
        TARN_WAIT_TRUE(page->model()->rowOf(channel) >= 0, kTimeoutMs);
        page->findChild<QTableView *>(QStringLiteral("channelTable"))->selectRow(page->model()->rowOf(channel));
    }

    QAction *action(const char *name) const { return page->findChild<QAction *>(QString::fromLatin1(name)); }

    ChannelDialog *openDialog(const char *actionName)
    {
        action(actionName)->trigger();
        ChannelDialog *dialog = nullptr;
        [&] { TARN_WAIT_TRUE((dialog = page->findChild<ChannelDialog *>()) != nullptr, kTimeoutMs); }();
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
    // Clicks button on the next modal message box, polling every 10 ms for up to 10 s. Each poll
    // is a timer owned by the application holding only the button and a count: no reference cycle
    // (the self-capturing std::function this replaced leaked under LeakSanitizer).
    static void answerMessageBox(QMessageBox::StandardButton button, int triesLeft = 1000)
    {
        QTimer::singleShot(triesLeft == 1000 ? 0 : 10, qApp, [button, triesLeft] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (box)
                QTest::mouseClick(box->button(button), Qt::LeftButton);
            else if (triesLeft > 1)
                answerMessageBox(button, triesLeft - 1);
        });
    }

    DesktopFixture fixture;
    std::unique_ptr<ChannelsPage> page;
};

} // namespace tarn::test
