// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"
#include "gateway/core/RouterStatus.h"

namespace tarn::gateway {

class Database;

// The router's live status, published by the running gateway for other processes (the CLI) to
// show. Not configuration: writing it never bumps the config revision.
class RouterStateRepository final
{
public:
    explicit RouterStateRepository(Database &db);

    // Replaces every row with status in one transaction (channel rows have key_id '').
    Status save(const RouterStatus &status);
    // takenAt is the newest row's time; empty when the gateway never saved.
    Result<RouterStatus> load() const;

private:
    Database &m_db;
};

} // namespace tarn::gateway
