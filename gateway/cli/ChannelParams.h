// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A channel's parameter overrides and stripped anthropic-beta values on the command line and in
// export files: the flags, their validation and how they are shown.
#include "gateway/cli/CliSupport.h"

namespace tarn::gateway::cli {

// --set-param, --drop-param, --strip-beta; with forSet also --unset-param, --clear-params and
// --clear-strip-betas.
QList<FlagSpec> paramFlags(bool forSet);

// Applies the given param and strip-beta flags onto channel (validateChannel checks the result).
Status applyParamFlags(const ParsedFlags &flags, Channel &channel);

// Paths (dotted names, at most 4 levels and 200 characters, not model/stream/messages/contents),
// set values (one JSON value each), no path both set and dropped or nested in a set one, and
// anthropic-beta names. Called by validateChannel.
Status validateChannelParams(const Channel &channel);

// "params" and "strip_betas" of an exported channel object; absent ones are empty (files older
// than format version 3).
Status channelParamsFromJson(const QJsonObject &object, const QString &where, Channel &channel);

// `channel show`: "set temperature=1, tool_choice="auto"; drop top_p", or "-".
QString paramsText(const ParamOverrides &params);

} // namespace tarn::gateway::cli
