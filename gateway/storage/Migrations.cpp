// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/Migrations.h"

#include <QSqlError>
#include <QSqlQuery>

namespace tarn::gateway {

namespace {

// Bumps meta.config_revision; a running Tarn polls it to pick up changes made by the CLI.
QString bumpRevision()
{
    return QStringLiteral("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'config_revision';");
}

QStringList revisionTriggers(const QString &table, const QStringList &events)
{
    QStringList sql;
    for (const QString &event : events) {
        QString suffix = event.section(u' ', 0, 0).toLower();
        sql << QStringLiteral("CREATE TRIGGER %1_%2_revision AFTER %3 ON %1 BEGIN %4 END")
                   .arg(table, suffix, event, bumpRevision());
    }
    return sql;
}

QStringList schemaV1()
{
    QStringList sql = {
        QStringLiteral(R"(CREATE TABLE meta (
            key TEXT PRIMARY KEY NOT NULL,
            value))"),
        QStringLiteral("INSERT INTO meta (key, value) VALUES ('config_revision', 0)"),
        QStringLiteral(R"(CREATE TABLE channels (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL CHECK (type IN ('openai', 'anthropic', 'gemini')),
            base_url TEXT NOT NULL,
            keys TEXT NOT NULL DEFAULT '[]',
            models TEXT NOT NULL DEFAULT '[]',
            model_map TEXT NOT NULL DEFAULT '{}',
            priority INTEGER NOT NULL DEFAULT 0,
            weight REAL NOT NULL DEFAULT 1 CHECK (weight >= 0),
            enabled INTEGER NOT NULL DEFAULT 1,
            capabilities TEXT NOT NULL DEFAULT '{}',
            proxy TEXT NOT NULL DEFAULT '',
            extra_headers TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL))"),
        QStringLiteral(R"(CREATE TABLE client_keys (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            models TEXT NOT NULL DEFAULT '[]',
            expires_at TEXT,
            quota_tokens INTEGER NOT NULL DEFAULT 0,
            revoked INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            last_used_at TEXT))"),
        QStringLiteral(R"(CREATE TABLE usage (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts TEXT NOT NULL,
            client_key_id INTEGER NOT NULL DEFAULT 0,
            inbound_format TEXT NOT NULL DEFAULT '',
            endpoint TEXT NOT NULL DEFAULT '',
            requested_model TEXT NOT NULL DEFAULT '',
            channel_id INTEGER NOT NULL DEFAULT 0,
            channel_name TEXT NOT NULL DEFAULT '',
            upstream_model TEXT NOT NULL DEFAULT '',
            status INTEGER NOT NULL DEFAULT 0,
            stream INTEGER NOT NULL DEFAULT 0,
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            cached_tokens INTEGER NOT NULL DEFAULT 0,
            latency_ms INTEGER NOT NULL DEFAULT 0,
            ttft_ms INTEGER NOT NULL DEFAULT -1,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT ''))"),
        QStringLiteral("CREATE INDEX usage_ts ON usage (ts)"),
        QStringLiteral("CREATE INDEX usage_channel_ts ON usage (channel_id, ts)"),
        QStringLiteral(R"(CREATE TABLE settings (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL))"),
    };
    const QStringList all = {QStringLiteral("INSERT"), QStringLiteral("DELETE"), QStringLiteral("UPDATE")};
    sql << revisionTriggers(QStringLiteral("channels"), all);
    sql << revisionTriggers(QStringLiteral("settings"), all);
    // Not last_used_at: it changes on every request and is not configuration.
    sql << revisionTriggers(QStringLiteral("client_keys"),
                            {QStringLiteral("INSERT"), QStringLiteral("DELETE"),
                             QStringLiteral("UPDATE OF name, models, expires_at, quota_tokens, revoked, key_hash")});
    return sql;
}

// Routing: per-channel budgets, prices and failover statuses; key and capability state the
// gateway learns; pool strategies; the router's live status for other processes to show.
QStringList schemaV2()
{
    QStringList sql = {
        QStringLiteral("ALTER TABLE channels ADD COLUMN budget TEXT NOT NULL DEFAULT '{}'"),
        QStringLiteral("ALTER TABLE channels ADD COLUMN price TEXT NOT NULL DEFAULT '{}'"),
        QStringLiteral("ALTER TABLE channels ADD COLUMN failover_on TEXT NOT NULL DEFAULT '[]'"),
        QStringLiteral("ALTER TABLE channels ADD COLUMN test_model TEXT NOT NULL DEFAULT ''"),
        QStringLiteral(R"(CREATE TABLE channel_key_state (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            key_id TEXT NOT NULL,
            disabled_reason TEXT NOT NULL,
            disabled_at TEXT NOT NULL,
            PRIMARY KEY (channel_id, key_id)))"),
        QStringLiteral(R"(CREATE TABLE learned_capabilities (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            capability TEXT NOT NULL,
            supported INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            learned_at TEXT NOT NULL,
            PRIMARY KEY (channel_id, model, capability)))"),
        QStringLiteral(R"(CREATE TABLE pools (
            model TEXT PRIMARY KEY NOT NULL,
            strategy TEXT NOT NULL DEFAULT 'weighted',
            sticky INTEGER NOT NULL DEFAULT 1))"),
        QStringLiteral(R"(CREATE TABLE router_state (
            channel_id INTEGER NOT NULL,
            key_id TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            cooldown_until TEXT,
            reason TEXT NOT NULL DEFAULT '',
            effective_weight REAL NOT NULL DEFAULT 0,
            latency_ms REAL NOT NULL DEFAULT -1,
            error_rate REAL NOT NULL DEFAULT 0,
            requests INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (channel_id, key_id)))"),
        QStringLiteral("ALTER TABLE usage ADD COLUMN attempt_log TEXT NOT NULL DEFAULT '[]'"),
    };
    // Key and capability state are configuration the gateway reloads (the CLI re-enables a key,
    // resets what was learned); router_state is not: the gateway rewrites it every second.
    const QStringList all = {QStringLiteral("INSERT"), QStringLiteral("DELETE"), QStringLiteral("UPDATE")};
    sql << revisionTriggers(QStringLiteral("channel_key_state"), all);
    sql << revisionTriggers(QStringLiteral("learned_capabilities"), all);
    sql << revisionTriggers(QStringLiteral("pools"), all);
    return sql;
}

// Per-channel request parameter overrides and anthropic-beta values to strip; the format of the
// channel a usage row last reached, beside the client's.
QStringList schemaV3()
{
    return {
        QStringLiteral("ALTER TABLE channels ADD COLUMN params TEXT NOT NULL DEFAULT '{}'"),
        QStringLiteral("ALTER TABLE channels ADD COLUMN strip_betas TEXT NOT NULL DEFAULT '[]'"),
        QStringLiteral("ALTER TABLE usage ADD COLUMN channel_format TEXT NOT NULL DEFAULT ''"),
    };
}

// Which of OpenAI's APIs an OpenAI-type channel is called with. The CHECK keeps the column to the
// names this version writes; a later Tarn adding a third API bumps the schema, and an older Tarn
// refuses a newer schema, so no build ever reads a value it does not know.
QStringList schemaV4()
{
    return {
        QStringLiteral("ALTER TABLE channels ADD COLUMN openai_api TEXT NOT NULL DEFAULT 'chat' "
                       "CHECK (openai_api IN ('chat', 'responses'))"),
    };
}

// The desktop's usage pages: model prices for cost estimates, and rollups the aggregates read
// instead of scanning every usage row (UsageStatsRepository keeps them up to date from the query
// side, so the request path writes exactly what it wrote before). meta.usage_rollup_id is the
// last usage id both rollups include.
QStringList schemaV5()
{
    return {
        QStringLiteral(R"(CREATE TABLE model_prices (
            model TEXT PRIMARY KEY NOT NULL,
            input_per_mtok REAL NOT NULL DEFAULT 0,
            output_per_mtok REAL NOT NULL DEFAULT 0,
            cached_per_mtok REAL NOT NULL DEFAULT 0))"),
        QStringLiteral(R"(CREATE TABLE usage_hourly (
            hour TEXT NOT NULL,
            channel_id INTEGER NOT NULL,
            channel_name TEXT NOT NULL,
            requested_model TEXT NOT NULL,
            upstream_model TEXT NOT NULL,
            requests INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            cached_tokens INTEGER NOT NULL,
            PRIMARY KEY (hour, channel_id, channel_name, requested_model, upstream_model)) WITHOUT ROWID)"),
        QStringLiteral(R"(CREATE TABLE usage_latency_daily (
            day TEXT NOT NULL,
            channel_id INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (day, channel_id, kind, bucket)) WITHOUT ROWID)"),
        // Requests per quarter hour (UTC), for the heatmap in local time: every time zone's
        // offset is a whole number of quarter hours, not always of hours.
        QStringLiteral(R"(CREATE TABLE usage_quarter_hourly (
            slot TEXT PRIMARY KEY NOT NULL,
            requests INTEGER NOT NULL) WITHOUT ROWID)"),
        QStringLiteral("INSERT INTO meta (key, value) VALUES ('usage_rollup_id', 0)"),
    };
}

// Reasoning (thinking) tokens per request and in the hourly rollup, so the usage page can split
// output into answer and reasoning. Both start at 0, which is exact for rows written before: no
// version recorded them, and every rollup row sums rows that all have 0.
QStringList schemaV6()
{
    return {
        QStringLiteral("ALTER TABLE usage ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("ALTER TABLE usage_hourly ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0"),
    };
}

// Client key limits and salted hashes (issue 12). quota_tokens was never enforced and never had a
// period; it becomes tokens_per_month, the limit closest to what "--quota" promised, so a value set
// before keeps its number. Rows made before keep their plain SHA-256 ('sha256') until the key is
// next presented; new ones are 'hmac-sha256' under the install's salt. last_used_address is, like
// last_used_at, not configuration: the revision trigger leaves it out.
QStringList schemaV7()
{
    QStringList sql = {
        QStringLiteral("DROP TRIGGER client_keys_update_revision"),
        QStringLiteral("ALTER TABLE client_keys RENAME COLUMN quota_tokens TO tokens_per_month"),
        QStringLiteral("ALTER TABLE client_keys ADD COLUMN tokens_per_day INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("ALTER TABLE client_keys ADD COLUMN requests_per_minute INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("ALTER TABLE client_keys ADD COLUMN hash_scheme TEXT NOT NULL DEFAULT 'sha256' "
                       "CHECK (hash_scheme IN ('sha256', 'hmac-sha256'))"),
        QStringLiteral("ALTER TABLE client_keys ADD COLUMN last_used_address TEXT NOT NULL DEFAULT ''"),
        QStringLiteral("CREATE INDEX usage_client_key_ts ON usage (client_key_id, ts)"),
    };
    sql << revisionTriggers(QStringLiteral("client_keys"),
                            {QStringLiteral("UPDATE OF name, models, expires_at, tokens_per_month, tokens_per_day, "
                                            "requests_per_minute, revoked, key_hash, hash_scheme")});
    return sql;
}

// Provider keys move out of the database into the secret vault (gateway/secrets), leaving
// "secret:<backend>:<id>" references in channels.keys. Nothing in the tables changes shape: the
// version itself is the point. A Tarn from before the vault would read a reference as the key and
// send it upstream (every request 401, every key disabled); at this version it refuses the
// database instead, with "written by a newer Tarn". The meta row says so for anyone reading it.
QStringList schemaV8()
{
    return {
        QStringLiteral("INSERT INTO meta (key, value) VALUES ('channel_keys', 'vault references')"),
    };
}

QString sqlErrorText(const QSqlQuery &query)
{
    const QSqlError error = query.lastError();
    return error.databaseText().isEmpty() ? error.text() : error.databaseText();
}

} // namespace

const QList<Migration> &schemaMigrations()
{
    static const QList<Migration> migrations = {
        {1, schemaV1()},
        {2, schemaV2()},
        {3, schemaV3()},
        {4, schemaV4()},
        {5, schemaV5()},
        {6, schemaV6()},
        {7, schemaV7()},
        {8, schemaV8()},
    };
    return migrations;
}

Result<int> readSchemaVersion(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return Error::storage(QStringLiteral("cannot read the schema version: %1").arg(sqlErrorText(query)));
    return query.value(0).toInt();
}

Result<int> applyMigrations(const QSqlDatabase &db, const QList<Migration> &migrations)
{
    Result<int> current = readSchemaVersion(db);
    if (!current)
        return current;
    const int from = *current;
    int to = from;
    for (const Migration &m : migrations)
        to = std::max(to, m.version);
    if (to == from)
        return from;

    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return Error::storage(QStringLiteral("cannot start the schema upgrade: %1").arg(sqlErrorText(query)));
    auto fail = [&](const QString &message) -> Result<int> {
        QSqlQuery rollback(db);
        rollback.exec(QStringLiteral("ROLLBACK"));
        return Error::storage(message);
    };
    for (const Migration &m : migrations) {
        if (m.version <= from)
            continue;
        for (const QString &statement : m.statements) {
            if (!query.exec(statement)) {
                return fail(QStringLiteral("upgrading the schema from version %1 to %2 failed (nothing was changed): %3")
                                .arg(from).arg(m.version).arg(sqlErrorText(query)));
            }
        }
    }
    if (!query.exec(QStringLiteral("PRAGMA user_version = %1").arg(to)))
        return fail(QStringLiteral("cannot record schema version %1: %2").arg(to).arg(sqlErrorText(query)));
    query.finish();
    if (!query.exec(QStringLiteral("COMMIT")))
        return fail(QStringLiteral("cannot commit the schema upgrade: %1").arg(sqlErrorText(query)));
    return to;
}

} // namespace tarn::gateway
