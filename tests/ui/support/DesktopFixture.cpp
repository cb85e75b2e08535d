// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/ui/support/DesktopFixture.h"

#include "gateway/Gateway.h"
#include "gateway/core/Paths.h"
#include "gateway/desktop/DesktopService.h"

#include <gtest/gtest.h>

namespace tarn::test {

using namespace tarn::gateway;

DesktopFixture::DesktopFixture()
    : m_dir(QDir::tempPath() + QStringLiteral("/tarn-ui-test-XXXXXX"))
{
    GatewayOptions options;
    options.dataDir = m_dir.path();
    options.listen = {{QStringLiteral("127.0.0.1"), 0}};
    options.workers = 1;
    options.configPollMs = 200;
    m_gateway = std::make_unique<Gateway>(options);
    if (const Status status = m_gateway->start(); !status) {
        ADD_FAILURE() << "gateway did not start: " << status.error().message.toStdString();
        return;
    }
    m_service = std::make_unique<DesktopService>(*m_gateway);
    if (const Status status = m_service->start(); !status) {
        ADD_FAILURE() << "desktop service did not start: " << status.error().message.toStdString();
        return;
    }
    m_started = true;
}

DesktopFixture::~DesktopFixture()
{
    m_database.reset();
    if (m_service)
        m_service->stop();
    if (m_gateway)
        m_gateway->stop(1000);
}

Database &DesktopFixture::database()
{
    if (!m_database) {
        auto opened = Database::open(databasePath(m_dir.path()), QStringLiteral("tarn-ui-test-%1").arg(reinterpret_cast<quintptr>(this)));
        EXPECT_TRUE(opened.ok()) << (opened ? "" : opened.error().message.toStdString());
        m_database = std::move(opened.value());
    }
    return *m_database;
}

} // namespace tarn::test
