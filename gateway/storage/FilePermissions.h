// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QString>

namespace tarn::gateway {

// The database holds provider keys: its directory is the owner's alone (0700) and the database
// with its -wal/-shm files are 0600, whatever the process umask. Creates the directory and an
// empty database file with those modes when missing, and repairs looser modes found on existing
// ones with a log line. A directory not owned by this user, or a shared sticky one such as /tmp,
// is left alone. A no-op where POSIX modes do not exist.
Status secureDatabaseFiles(const QString &databasePath);

} // namespace tarn::gateway
