// SPDX-License-Identifier: GPL-3.0-or-later
// A real gateway on 127.0.0.1 (port 0) in a throw-away data directory, with the desktop service the
// pages read through: what every widget test builds its window or page on.
#pragma once

#include "gateway/storage/Database.h"

#include <QTemporaryDir>

#include <memory>

namespace tarn::gateway {
class DesktopService;
class Gateway;
}

namespace tarn::test {

class DesktopFixture
{
public:
    DesktopFixture();
    ~DesktopFixture();

    bool isValid() const { return m_started; }
    QString dataDir() const { return m_dir.path(); }
    gateway::Gateway &gateway() const { return *m_gateway; }
    gateway::DesktopService &service() const { return *m_service; }
    // A connection of the test's own (on the test's thread) to seed rows or check what a page wrote.
    gateway::Database &database();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<gateway::Gateway> m_gateway;
    std::unique_ptr<gateway::DesktopService> m_service;
    std::unique_ptr<gateway::Database> m_database;
    bool m_started = false;
};

} // namespace tarn::test
