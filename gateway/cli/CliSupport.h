// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Shared pieces of the command line: context, flag parsing, validation, tables and JSON.
#include "gateway/core/Channel.h"
#include "gateway/core/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QStringList>
#include <QTextStream>

#include <memory>

namespace tarn::gateway {
class Database;
}

namespace tarn::gateway::cli {

enum ExitCode : int { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

// Where a command writes and which data directory it works on.
struct Context
{
    QString dataDir;
    QTextStream &out;
    QTextStream &err;
};

// Prints "tarn: message" on stderr and returns the exit code.
int usageError(Context &ctx, const QString &message);
int runtimeError(Context &ctx, const QString &message);

// Flags a command accepts: a switch (--json), a single value (--name N) or a repeatable value.
struct FlagSpec
{
    enum class Kind { Switch, Value, Repeated };
    QString name; // without "--"
    Kind kind = Kind::Value;
};

// Parsed command arguments: flag values in order, and positional arguments.
class ParsedFlags
{
public:
    bool has(const QString &name) const { return m_values.contains(name); }
    QString value(const QString &name) const { return m_values.value(name).value(0); }
    QStringList values(const QString &name) const { return m_values.value(name); }
    QStringList positionals;

private:
    friend Result<ParsedFlags> parseFlags(const QStringList &, const QList<FlagSpec> &);
    QMap<QString, QStringList> m_values;
};

// "--name value" and "--name=value"; unknown flags, missing values and repeats of single flags
// are InvalidArgument errors.
Result<ParsedFlags> parseFlags(const QStringList &args, const QList<FlagSpec> &specs);

// Flags plus exactly the positional arguments named in positionalNames ("a channel name"); a
// missing one is "'tarn COMMAND' needs a channel name", an extra one an unexpected argument.
Result<ParsedFlags> parseWithPositionals(const QStringList &args, const QList<FlagSpec> &specs, const QString &command,
                                         const QStringList &positionalNames);

// Checks that every name is present; the error names the first missing one.
Status requireFlags(const ParsedFlags &flags, const QStringList &names);

// Opens the database in ctx.dataDir on a connection name unique to this call.
Result<std::unique_ptr<Database>> openDatabase(const Context &ctx);

// Validation shared by the channel commands and import; messages are one user-facing line.
Status validateName(const QString &what, const QString &name);
Status validateHttpUrl(const QString &what, const QString &url, bool allowSocks = false);
Status validateChannel(const Channel &channel);
Result<int> parseInt(const QString &what, const QString &text, int min);
// A whole number >= 0 (64-bit): budgets.
Result<qint64> parseCount(const QString &what, const QString &text);
// A finite number >= 0: prices in USD per million tokens.
Result<double> parsePrice(const QString &what, const QString &text);
// "400,404": HTTP statuses 400-599; empty text is the empty list.
Result<QList<int>> parseStatuses(const QString &what, const QString &text);
Result<bool> parseYesNo(const QString &what, const QString &text);
QStringList splitList(const QString &text);
// "Name=Value" pairs for --map and --header.
Result<QMap<QString, QString>> parsePairs(const QString &what, const QStringList &pairs);
// ISO-8601 date or date-time; without an offset it is UTC.
Result<QDateTime> parseDateTime(const QString &what, const QString &text);

// The first 4 characters and an ellipsis, and the last 4 of a secret as long as a provider key
// (24+ characters: "sk-p…abcd", how providers' dashboards name keys): enough to recognise a
// secret, not to use it. Shorter ones show their first 4 only (9+) or nothing.
QString maskSecret(const QString &secret);
QString formatTime(const QDateTime &time); // "2024-05-01 12:00 UTC", "-" when invalid
QVariant jsonTime(const QDateTime &time);  // ISO-8601 UTC string, null when invalid

// Aligned columns separated by two spaces; columns listed in rightAligned are right-aligned.
QString formatTable(const QStringList &headers, const QList<QStringList> &rows, const QList<int> &rightAligned = {});

enum class SecretMode { Mask, Omit, Include };
// The channel's configuration; "capabilities" holds the declared modes and limits.
QJsonObject channelToJson(const Channel &channel, SecretMode secrets);
QJsonObject budgetToJson(const ChannelBudget &budget); // {"rpm","tpm","tokens_per_day","tokens_per_month"}
QJsonObject priceToJson(const ChannelPrice &price);    // {"input","output","cached"}
QString toJsonText(const QJsonValue &value);

// The command groups; args start after the group name.
int runChannelCommand(Context &ctx, const QStringList &args);
int runKeyCommand(Context &ctx, const QStringList &args);
int runUsageCommand(Context &ctx, const QStringList &args);
int runExportCommand(Context &ctx, const QStringList &args);
int runImportCommand(Context &ctx, const QStringList &args);
int runPoolCommand(Context &ctx, const QStringList &args);
int runRoutingCommand(Context &ctx, const QStringList &args);
int runConnectCommand(Context &ctx, const QStringList &args);
int runServeCommand(Context &ctx, const QStringList &args);
// `tarn channel test|reset-learned|enable-key` (ChannelStateCommands.cpp); args after the subcommand.
int runChannelTest(Context &ctx, const QStringList &args);
int runChannelResetLearned(Context &ctx, const QStringList &args);
int runChannelEnableKey(Context &ctx, const QStringList &args);

// Help for a topic ("" for the overview); empty when the topic is unknown.
QString helpText(const QString &topic);

} // namespace tarn::gateway::cli
