// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QByteArray>
#include <QString>

namespace tarn::gateway {

// The management API's secret: <data dir>/admin-token, readable by the owner alone. Whoever can
// read that file can already read the database, so it proves nothing more than a local user, and
// nothing less: a browser page or another user's process cannot read it.
QString adminTokenPath(const QString &dataDir);

// Reads the token, or creates the file (0600 from the first byte, 32 random bytes in base64url)
// when it is missing or holds no usable token. A file with looser permissions is tightened.
Result<QByteArray> loadOrCreateAdminToken(const QString &dataDir);

// Whether presented is token, in time independent of where they first differ.
bool adminTokenMatches(const QByteArray &presented, const QByteArray &token);

} // namespace tarn::gateway
