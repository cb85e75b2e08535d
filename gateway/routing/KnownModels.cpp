// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in table: what the vendors document for their models. A field is left unknown where the
// documentation is unclear or the name has meant different models over time (deepseek-reasoner's
// tool support, kimi-k2's context), so the router learns it from the upstream instead.
#include "gateway/routing/KnownModels.h"

#include <QRegularExpression>

#include <iterator>

namespace tarn::gateway {

namespace {

enum Tri : signed char { U = -1, N = 0, Y = 1 }; // unknown, no, yes

struct Entry
{
    const char *pattern; // normalised name prefix, ending at a '-', '_' or the end of the name
    Tri tools;
    Tri parallelTools;
    Tri vision;
    Tri jsonMode;
    Tri reasoning;
    int contextTokens;
    int maxOutputTokens;
};

constexpr int K = 1024;

// clang-format off
constexpr Entry kModels[] = {
    //  pattern                         tools par vis json reas  context    output
    // Zhipu GLM (docs.bigmodel.cn / docs.z.ai)
    {"glm-4.5",                         Y,    Y,  N,  Y,   Y,    128 * K,   96 * K},
    {"glm-4.5-air",                     Y,    Y,  N,  Y,   Y,    128 * K,   96 * K},
    {"glm-4.5v",                        Y,    U,  Y,  U,   Y,    64 * K,    16 * K},
    {"glm-4.6",                         Y,    Y,  N,  Y,   Y,    200 * K,   128 * K},
    {"glm-4.6v",                        Y,    U,  Y,  U,   Y,    128 * K,   0},
    {"glm-4-plus",                      Y,    U,  N,  Y,   N,    128 * K,   4 * K},
    {"glm-4-flash",                     Y,    U,  N,  Y,   N,    128 * K,   0},
    {"glm-z1",                          U,    U,  N,  U,   Y,    0,         0},
    // MiniMax
    {"minimax-m1",                      Y,    U,  N,  U,   Y,    1000000,   0},
    {"minimax-m2",                      Y,    U,  N,  U,   Y,    204800,    0},
    {"minimax-m2.1",                    Y,    U,  N,  U,   Y,    204800,    0},
    {"minimax-text-01",                 Y,    U,  N,  U,   N,    1000192,   0},
    {"abab6.5s",                        Y,    U,  N,  U,   N,    245760,    0},
    // Qwen (DashScope / Model Studio)
    {"qwen3-coder-plus",                Y,    U,  N,  U,   N,    1024 * K,  64 * K},
    {"qwen3-coder-flash",               Y,    U,  N,  U,   N,    1024 * K,  64 * K},
    {"qwen3-max",                       Y,    U,  N,  Y,   U,    256 * K,   64 * K},
    {"qwen-max",                        Y,    U,  N,  Y,   N,    32 * K,    8 * K},
    {"qwen-plus",                       Y,    U,  N,  Y,   U,    0,         0},
    {"qwen-turbo",                      Y,    U,  N,  Y,   U,    0,         0},
    {"qwen-vl-max",                     U,    U,  Y,  U,   N,    0,         0},
    {"qwen-vl-plus",                    U,    U,  Y,  U,   N,    0,         0},
    {"qwen3-vl",                        U,    U,  Y,  U,   U,    0,         0},
    {"qwq",                             U,    U,  N,  U,   Y,    0,         0},
    {"qwen3-235b-a22b",                 Y,    U,  N,  U,   U,    0,         0},
    // Doubao / Seed (Volcano Ark ids use dashes: doubao-seed-1-6-250615)
    {"doubao-seed-1-6",                 Y,    U,  Y,  U,   Y,    256 * K,   32 * K},
    {"doubao-seed-1-6-thinking",        Y,    U,  Y,  U,   Y,    256 * K,   32 * K},
    {"doubao-seed-1-6-flash",           Y,    U,  Y,  U,   Y,    256 * K,   32 * K},
    {"doubao-seed-1-6-vision",          Y,    U,  Y,  U,   Y,    256 * K,   0},
    {"doubao-1-5-pro-32k",              Y,    U,  N,  U,   N,    32 * K,    0},
    {"doubao-1-5-pro-256k",             Y,    U,  N,  U,   N,    256 * K,   0},
    {"doubao-1-5-vision-pro",           U,    U,  Y,  U,   N,    0,         0},
    // DeepSeek (api-docs.deepseek.com; the API names are aliases that move with each release)
    {"deepseek-chat",                   Y,    U,  N,  Y,   N,    128 * K,   8 * K},
    {"deepseek-reasoner",               U,    U,  N,  U,   Y,    128 * K,   0},
    {"deepseek-v3",                     Y,    U,  N,  U,   N,    0,         0},
    {"deepseek-v3.1",                   Y,    U,  N,  U,   Y,    128 * K,   0},
    {"deepseek-v3.2",                   Y,    U,  N,  U,   Y,    0,         0},
    {"deepseek-r1",                     U,    U,  N,  U,   Y,    0,         0},
    // Kimi / Moonshot (platform.moonshot.ai)
    {"kimi-k2",                         Y,    U,  N,  Y,   N,    0,         0},
    {"kimi-k2-0711",                    Y,    U,  N,  Y,   N,    128 * K,   0},
    {"kimi-k2-0905",                    Y,    U,  N,  Y,   N,    256 * K,   0},
    {"kimi-k2-instruct",                Y,    U,  N,  Y,   N,    128 * K,   0},
    {"kimi-k2-instruct-0905",           Y,    U,  N,  Y,   N,    256 * K,   0},
    {"kimi-k2-turbo",                   Y,    U,  N,  Y,   N,    256 * K,   0},
    {"kimi-k2-thinking",                Y,    U,  N,  U,   Y,    256 * K,   0},
    {"kimi-latest",                     Y,    U,  Y,  Y,   N,    128 * K,   0},
    {"moonshot-v1-8k",                  Y,    U,  N,  Y,   N,    8 * K,     0},
    {"moonshot-v1-32k",                 Y,    U,  N,  Y,   N,    32 * K,    0},
    {"moonshot-v1-128k",                Y,    U,  N,  Y,   N,    128 * K,   0},
    {"moonshot-v1-8k-vision",           Y,    U,  Y,  Y,   N,    8 * K,     0},
    {"moonshot-v1-32k-vision",          Y,    U,  Y,  Y,   N,    32 * K,    0},
    {"moonshot-v1-128k-vision",         Y,    U,  Y,  Y,   N,    128 * K,   0},
    // OpenAI
    {"gpt-3.5-turbo",                   Y,    Y,  N,  Y,   N,    16385,     4096},
    {"gpt-4",                           Y,    Y,  N,  N,   N,    8192,      0},
    {"gpt-4-32k",                       Y,    Y,  N,  N,   N,    32768,     0},
    {"gpt-4-1106-preview",              Y,    Y,  N,  Y,   N,    128000,    4096},
    {"gpt-4-0125-preview",              Y,    Y,  N,  Y,   N,    128000,    4096},
    {"gpt-4-vision-preview",            Y,    Y,  Y,  N,   N,    128000,    4096},
    {"gpt-4-turbo",                     Y,    Y,  Y,  Y,   N,    128000,    4096},
    {"gpt-4o",                          Y,    Y,  Y,  Y,   N,    128000,    16384},
    {"gpt-4o-mini",                     Y,    Y,  Y,  Y,   N,    128000,    16384},
    {"gpt-4.1",                         Y,    Y,  Y,  Y,   N,    1047576,   32768},
    {"gpt-5",                           Y,    Y,  Y,  Y,   Y,    400000,    128000},
    {"gpt-5-chat",                      U,    U,  Y,  U,   N,    128000,    16384},
    {"o1",                              Y,    U,  Y,  Y,   Y,    200000,    100000},
    {"o1-preview",                      N,    N,  N,  N,   Y,    128000,    32768},
    {"o1-mini",                         N,    N,  N,  N,   Y,    128000,    65536},
    {"o3",                              Y,    U,  Y,  Y,   Y,    200000,    100000},
    {"o3-mini",                         Y,    U,  N,  Y,   Y,    200000,    100000},
    {"o4-mini",                         Y,    U,  Y,  Y,   Y,    200000,    100000},
    {"gpt-oss",                         Y,    U,  N,  U,   Y,    128 * K,   0},
    // Anthropic (dots in versions normalised to dashes: claude-sonnet-4.5 = claude-sonnet-4-5)
    {"claude-3-haiku",                  Y,    Y,  Y,  U,   N,    200000,    4096},
    {"claude-3-sonnet",                 Y,    Y,  Y,  U,   N,    200000,    4096},
    {"claude-3-opus",                   Y,    Y,  Y,  U,   N,    200000,    4096},
    {"claude-3-5-sonnet",               Y,    Y,  Y,  U,   N,    200000,    8192},
    {"claude-3-5-haiku",                Y,    Y,  U,  U,   N,    200000,    8192},
    {"claude-3-7-sonnet",               Y,    Y,  Y,  U,   Y,    200000,    64000},
    {"claude-sonnet-4",                 Y,    Y,  Y,  U,   Y,    200000,    64000},
    {"claude-4-sonnet",                 Y,    Y,  Y,  U,   Y,    200000,    64000},
    {"claude-opus-4",                   Y,    Y,  Y,  U,   Y,    200000,    32000},
    {"claude-4-opus",                   Y,    Y,  Y,  U,   Y,    200000,    32000},
    {"claude-opus-4-1",                 Y,    Y,  Y,  U,   Y,    200000,    32000},
    {"claude-sonnet-4-5",               Y,    Y,  Y,  U,   Y,    200000,    64000},
    {"claude-haiku-4-5",                Y,    Y,  Y,  U,   Y,    200000,    64000},
    {"claude-opus-4-5",                 Y,    Y,  Y,  U,   Y,    200000,    64000},
    // Google Gemini
    {"gemini-1.5-pro",                  Y,    Y,  Y,  Y,   N,    2097152,   8192},
    {"gemini-1.5-flash",                Y,    Y,  Y,  Y,   N,    1048576,   8192},
    {"gemini-2.0-flash",                Y,    Y,  Y,  Y,   N,    1048576,   8192},
    {"gemini-2.0-flash-lite",           Y,    Y,  Y,  Y,   N,    1048576,   8192},
    {"gemini-2.0-pro",                  Y,    Y,  Y,  Y,   N,    0,         8192},
    {"gemini-2.5-pro",                  Y,    Y,  Y,  Y,   Y,    1048576,   65536},
    {"gemini-2.5-flash",                Y,    Y,  Y,  Y,   Y,    1048576,   65536},
    {"gemini-2.5-flash-lite",           Y,    Y,  Y,  Y,   Y,    1048576,   65536},
    {"gemini-3-pro",                    Y,    Y,  Y,  Y,   Y,    1048576,   65536},
};
// clang-format on

std::optional<bool> tri(Tri value)
{
    return value == U ? std::nullopt : std::optional<bool>(value == Y);
}

// "Pro/deepseek-ai/DeepSeek-V3" -> "deepseek-v3"; "anthropic.claude-3-5-sonnet-20240620-v1:0" ->
// "claude-3-5-sonnet-20240620-v1"; "accounts/fireworks/models/glm-4p6" -> "glm-4.6".
QString normalised(const QString &model)
{
    QString name = model.trimmed().toLower();
    name = name.mid(name.lastIndexOf(u'/') + 1);
    for (const QChar cut : {u':', u'@'}) {
        if (const qsizetype at = name.indexOf(cut); at >= 0)
            name.truncate(at);
    }
    if (const qsizetype at = name.lastIndexOf(u"anthropic."); at >= 0)
        name = name.mid(at + 10);
    // Fireworks writes version dots as 'p' (glm-4p6, deepseek-v3p1).
    static const QRegularExpression fireworksDot(QStringLiteral("(\\d)p(\\d)"));
    name.replace(fireworksDot, QStringLiteral("\\1.\\2"));
    if (name.startsWith(u"claude") || name.startsWith(u"doubao"))
        name.replace(u'.', u'-');
    return name;
}

bool matches(const QString &name, QLatin1StringView pattern)
{
    if (!name.startsWith(pattern))
        return false;
    if (name.size() == pattern.size())
        return true;
    const QChar next = name.at(pattern.size());
    return next == u'-' || next == u'_';
}

} // namespace

std::optional<KnownModel> lookupKnownModel(const QString &model)
{
    const QString name = normalised(model);
    if (name.isEmpty())
        return std::nullopt;
    const Entry *best = nullptr;
    qsizetype bestLength = 0;
    for (const Entry &entry : kModels) {
        const QLatin1StringView pattern(entry.pattern);
        if (pattern.size() > bestLength && matches(name, pattern)) {
            best = &entry;
            bestLength = pattern.size();
        }
    }
    if (!best)
        return std::nullopt;
    KnownModel known;
    known.family = QString::fromLatin1(best->pattern);
    known.tools = tri(best->tools);
    known.parallelTools = tri(best->parallelTools);
    known.vision = tri(best->vision);
    known.jsonMode = tri(best->jsonMode);
    known.reasoning = tri(best->reasoning);
    known.contextTokens = best->contextTokens;
    known.maxOutputTokens = best->maxOutputTokens;
    return known;
}

} // namespace tarn::gateway
