// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QList>
#include <QSqlDatabase>
#include <QStringList>

namespace tarn::gateway {

// The SQL that brings a database from schema version-1 to version.
struct Migration
{
    int version = 0;
    QStringList statements;
};

// Tarn's schema history, in order: v1 creates everything; later versions append here.
const QList<Migration> &schemaMigrations();

// Reads PRAGMA user_version.
Result<int> readSchemaVersion(const QSqlDatabase &db);

// Applies every migration newer than the current user_version in one transaction, setting
// user_version at the end; on any failure everything is rolled back. Returns the new version.
Result<int> applyMigrations(const QSqlDatabase &db, const QList<Migration> &migrations);

} // namespace tarn::gateway
