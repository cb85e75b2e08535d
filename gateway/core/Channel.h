// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace tarn::gateway {

// The wire format a channel's upstream speaks.
enum class ChannelType { OpenAI, Anthropic, Gemini };

QString channelTypeName(ChannelType type);
std::optional<ChannelType> channelTypeFromName(const QString &name);

// Which of OpenAI's APIs an OpenAI-type channel is called with: Chat Completions (what
// OpenAI-compatible providers offer) or the Responses API (OpenAI's own Codex models are served
// only there). Other types ignore it.
enum class OpenAiApi { Chat, Responses };
QString openAiApiName(OpenAiApi api); // "chat", "responses"
std::optional<OpenAiApi> openAiApiFromName(const QString &name);

// A feature a request may need from a channel-model.
enum class Capability { Tools, ParallelTools, Vision, JsonMode, Reasoning };
inline constexpr Capability kAllCapabilities[] = {Capability::Tools, Capability::ParallelTools, Capability::Vision,
                                                 Capability::JsonMode, Capability::Reasoning};
// "tools", "parallel_tools", "vision", "json_mode", "reasoning"
QString capabilityName(Capability capability);
std::optional<Capability> capabilityFromName(const QString &name);

// What the user declared for a capability: Auto = learned from the upstream, else the built-in
// table of well-known models, else assumed supported until an upstream says otherwise.
enum class CapabilityMode { Auto, On, Off };
QString capabilityModeName(CapabilityMode mode); // "auto", "on", "off"
std::optional<CapabilityMode> capabilityModeFromName(const QString &name);

// What a channel can serve, as declared; a request needing one of these only goes to channels that
// have it (see routing/CapabilityResolver for the effective answer).
struct ChannelCapabilities
{
    CapabilityMode tools = CapabilityMode::Auto;
    CapabilityMode vision = CapabilityMode::Auto;
    CapabilityMode jsonMode = CapabilityMode::Auto;
    int contextTokens = 0;   // 0 = auto (built-in table, else unknown)
    int maxOutputTokens = 0; // 0 = auto

    // Mode for the declarable ones (Tools, Vision, JsonMode); Auto for the others.
    CapabilityMode mode(Capability capability) const;

    friend bool operator==(const ChannelCapabilities &, const ChannelCapabilities &) = default;
};

// The declared capabilities as stored and exported: {"tools": "auto"|"on"|"off", "vision", "json_mode",
// "context_tokens", "max_output_tokens"}. Reads version 1's booleans too (tools defaulted to true,
// vision to false: a stored default reads as auto, the other value as declared).
QJsonObject capabilitiesToJson(const ChannelCapabilities &caps);
ChannelCapabilities capabilitiesFromJson(const QJsonObject &object);

// What an upstream taught Tarn about one of its models (persisted, shown, resettable).
struct LearnedCapability
{
    QString model; // upstream model name
    Capability capability = Capability::Tools;
    bool supported = false;
    QString reason; // the upstream's words, redacted
    QDateTime learnedAt;

    friend bool operator==(const LearnedCapability &, const LearnedCapability &) = default;
};

// Per-channel budgets, counted from usage; 0 = no limit.
struct ChannelBudget
{
    qint64 requestsPerMinute = 0;
    qint64 tokensPerMinute = 0;
    qint64 tokensPerDay = 0;   // UTC calendar day
    qint64 tokensPerMonth = 0; // UTC calendar month

    bool any() const { return requestsPerMinute || tokensPerMinute || tokensPerDay || tokensPerMonth; }
    friend bool operator==(const ChannelBudget &, const ChannelBudget &) = default;
};

// USD per million tokens; 0 = free or unknown. Used by the "cheapest" strategy and cost reports.
struct ChannelPrice
{
    double inputPerMillion = 0;
    double outputPerMillion = 0;
    double cachedPerMillion = 0;

    friend bool operator==(const ChannelPrice &, const ChannelPrice &) = default;
};

// Parameters a channel's upstream must get, or must not get, whatever the client sent: applied to
// every request body sent to the channel, after translation (a model that rejects temperature 0,
// a provider that rejects tool_choice). Paths are dotted member names in the channel's own wire
// format ("temperature", "generationConfig.topK").
struct ParamOverrides
{
    QMap<QString, QByteArray> set; // path -> the JSON value text to write
    QStringList drop;              // paths removed
    bool isEmpty() const { return set.isEmpty() && drop.isEmpty(); }
    friend bool operator==(const ParamOverrides &, const ParamOverrides &) = default;
};

// The overrides as stored and exported: {"set": {path: <JSON value>}, "drop": [paths]}. Reading
// skips what is not of that shape (import validates before it gets here); set values come back
// as compactJsonValue text.
QJsonObject paramOverridesToJson(const ParamOverrides &overrides);
ParamOverrides paramOverridesFromJson(const QJsonObject &object);
// Compact JSON text of one value ("1", "\"auto\"", "{\"type\":\"json_object\"}"): the form
// ParamOverrides::set holds, so what is stored reads back byte for byte.
QByteArray compactJsonValue(const QJsonValue &value);

// A short stable id of a provider key ("k-" + 10 hex of its SHA-256): names a key in state, logs
// and the UI without revealing it.
QString keyId(const QString &key);

// A provider connection: where to send requests, with which keys, for which models.
struct Channel
{
    qint64 id = 0;
    QString name;
    ChannelType type = ChannelType::OpenAI;
    OpenAiApi openAiApi = OpenAiApi::Chat; // OpenAI type: Chat Completions or the Responses API
    // SDK convention: OpenAI-compatible bases include the version path (…/v1, …/api/paas/v4) and
    // Tarn appends /chat/completions; Anthropic and Gemini bases are the host.
    QString baseUrl;
    QStringList keys;
    QStringList models;
    QMap<QString, QString> modelMap; // alias the client asks for -> upstream model name
    int priority = 0;                // higher is tried first
    double weight = 1.0;
    bool enabled = true;
    ChannelCapabilities capabilities;
    QString proxy;                   // per-channel HTTP(S) proxy URL; empty = environment
    QMap<QString, QString> extraHeaders;
    ChannelBudget budget;
    ChannelPrice price;
    QList<int> failoverStatuses;     // extra upstream statuses to fail over on (e.g. 400, 404)
    QString testModel;               // model for health tests; empty = the first model
    ParamOverrides params;           // forced / dropped request parameters
    QStringList stripBetas;          // anthropic-beta values not passed on to this channel
    QMap<QString, QString> disabledKeys; // keyId -> why it was disabled (401/403 seen; persisted)
    QList<LearnedCapability> learned;    // what upstreams taught Tarn (persisted)
    QDateTime createdAt;
    QDateTime updatedAt;

    // Every model name a client may ask for on this channel: models plus aliases.
    QStringList servedModels() const;
    bool serves(const QString &model) const;
    // The upstream's name for what the client asked for (alias resolved).
    QString upstreamModel(const QString &requested) const;

    friend bool operator==(const Channel &, const Channel &) = default;
};

} // namespace tarn::gateway
