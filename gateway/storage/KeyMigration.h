// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

namespace tarn::gateway {

class Database;

// Moves provider keys an older Tarn kept in the channels table into the database's secret vault,
// leaving references in their place; a no-op (and no vault opened) when there are none. One
// channel at a time, each in its own transaction that stores the channel's keys in the vault
// before it commits the references: a process killed midway leaves every channel either as it
// was (plain keys, moved on the next start; the secrets stored meanwhile are orphans, never
// lost keys) or fully moved. Afterwards the database is rebuilt (VACUUM) and its WAL emptied, so
// no old page still holds a key. stopAfterChannels >= 0 (tests) fails after that many channels.
Status moveChannelKeysToVault(Database &db, int stopAfterChannels = -1);

} // namespace tarn::gateway
