// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connect/AgentConfig.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace tarn::gateway::connect {

// Codex CLI's config.toml, edited as text so the user's comments, layout and other tables stay as
// they were: only the root `model_provider` (and `model`, when one is given) lines and the
// `[model_providers.tarn]` table are rewritten. A TOML parser checks the file before the edit and
// proves after it that nothing else changed; when it cannot, the edit is refused.
namespace codex {

inline constexpr char kProviderId[] = "tarn";

// The new config.toml. target.key, when set, goes in experimental_bearer_token (Codex then needs
// no environment variable); without it Codex sends no Authorization header.
Result<QByteArray> plan(const std::optional<QByteArray> &current, const ConnectTarget &target, const QString &displayPath);
// The provider config.toml selects, as far as Tarn reads it.
Result<AgentConnection> inspect(const std::optional<QByteArray> &current, const QString &displayPath);
// The table as written, for the snippet.
QString providerTable(const ConnectTarget &target);
// A TOML basic string: "…" with escapes.
QString tomlString(const QString &text);

} // namespace codex

} // namespace tarn::gateway::connect
