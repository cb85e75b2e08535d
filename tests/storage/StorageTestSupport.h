// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A fresh Tarn database in a temporary directory, for repository tests.
#include "gateway/storage/Database.h"
#include "tests/support/GTestQtPrinters.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <memory>

namespace tarn::gateway::test {

class StorageTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        auto db = Database::open(dbPath(), QStringLiteral("storage-test"));
        ASSERT_TRUE(db.ok()) << db.error().message.toStdString();
        m_db = std::move(db).value();
    }

    QString dbPath() const { return m_dir.filePath(QStringLiteral("tarn.sqlite3")); }
    Database &db() { return *m_db; }

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
};

} // namespace tarn::gateway::test
