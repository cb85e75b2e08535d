// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QStringList>

namespace tarn::gateway {

// Removes anything key-shaped from text that leaves Tarn (an upstream's error body passed to a
// client, a usage row's error, a log line): the given secrets wherever they appear, and tokens that
// look like provider keys — `sk-…` (OpenAI, Anthropic, DeepSeek, Moonshot, Qwen…), Google's
// `AIza…`, `Bearer …`, and `key=` / `api_key=` / `access_token=` values in URLs. Providers echo a
// rejected key (often partly masked) in their 401/403 bodies.
QByteArray redactSecrets(const QByteArray &text, const QStringList &secrets = {});
QString redactSecrets(const QString &text, const QStringList &secrets = {});

} // namespace tarn::gateway
