// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"

#include <QByteArray>

namespace tarn::gateway {

// A channel's parameter overrides applied to a request body about to go upstream (already in
// the channel's wire format), by splicing bytes: nothing else in the body is reserialised, so
// numbers, escapes and key order reach the upstream as they were.
//
// body must be one valid JSON object (validated by a real parser first); anything else comes back
// unchanged. Paths are dotted member names ("temperature", "generationConfig.topK"), each
// segment a member of the object the previous one names. In order:
//  - each drop path removes every member of that name in its parent object (with the comma that
//    separated it); a missing member or a parent that is not an object is nothing to do;
//  - each set path (in path order) replaces the value of the first member of that name in place
//    and removes any later duplicates, or appends the member to its parent object, creating the
//    missing intermediate objects; an intermediate that exists but is not an object leaves the
//    body unchanged for that path. Intermediates are followed through their first occurrence.
// Set values are written as given: they must be valid JSON text (ParamOverrides holds the
// compact form); an empty value is skipped. Empty overrides return body itself (shared, no copy).
QByteArray withParamOverrides(const QByteArray &body, const ParamOverrides &overrides);

} // namespace tarn::gateway
