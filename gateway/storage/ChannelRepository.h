// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/Result.h"

#include <QList>

namespace tarn::gateway {

class Database;

// Reads and writes channels (provider connections) in the database.
class ChannelRepository final
{
public:
    explicit ChannelRepository(Database &db);

    // Ordered by priority (highest first), then name.
    Result<QList<Channel>> list() const;
    Result<Channel> findByName(const QString &name) const;
    // Returns the new id; AlreadyExists if the name is taken. Sets created_at/updated_at.
    Result<qint64> add(const Channel &channel);
    // Updates the channel with channel.id (name included); NotFound if there is none.
    Status update(const Channel &channel);
    Status remove(const QString &name);
    Status setEnabled(const QString &name, bool enabled);

private:
    Database &m_db;
};

} // namespace tarn::gateway
