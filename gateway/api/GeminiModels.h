// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"

#include <QByteArray>
#include <QStringList>

#include <optional>

namespace tarn::gateway {

// Gemini's models.list and models.get answers for the models Tarn serves: each a Model resource
// ({name:"models/<id>", version, displayName, inputTokenLimit, outputTokenLimit,
// supportedGenerationMethods, …}) with its limits as the channel that would serve it knows them.

// One page of `models` (the ones the client may use, in order): pageSize as Google reads it (0 =
// its default of 50, at most 1000), pageToken as a previous page's nextPageToken gave it.
// Nothing when the token is not one this gave.
std::optional<QByteArray> geminiModelList(const RuntimeConfig &config, const QStringList &models, int pageSize,
                                          const QString &pageToken);
// One model's resource.
QByteArray geminiModel(const RuntimeConfig &config, const QString &model);

} // namespace tarn::gateway
