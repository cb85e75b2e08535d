// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/core/Result.h"

#include <QList>

namespace tarn::gateway {

class Database;

// Whether channel reads turn the key references stored in the database into the keys.
enum class KeyAccess {
    Resolve,    // keys as they are (a key that cannot be read stays its reference, with a warning)
    References, // the stored references: for what must not read secrets (export without --secrets)
};

// Reads and writes channels (provider connections) in the database. The provider keys themselves
// live in the database's SecretVault (OS keychain or encrypted file); the keys column holds their
// references. Callers see and pass plain keys: the repository stores and resolves them.
class ChannelRepository final
{
public:
    explicit ChannelRepository(Database &db);

    // Ordered by priority (highest first), then name; disabledKeys and learned filled in.
    Result<QList<Channel>> list(KeyAccess access = KeyAccess::Resolve) const;
    Result<Channel> findByName(const QString &name, KeyAccess access = KeyAccess::Resolve) const;
    // Returns the new id; AlreadyExists if the name is taken. Sets created_at/updated_at.
    // disabledKeys and learned are state, not configuration: written by the methods below only.
    // Keys go to the vault first; a value that already is a reference is kept as it is.
    Result<qint64> add(const Channel &channel);
    // Updates the channel with channel.id (name included); NotFound if there is none. Drops the
    // disabled state of keys the channel no longer has. Unchanged keys keep their references; the
    // secrets of keys it no longer has are deleted once the change is committed.
    Status update(const Channel &channel);
    // Removes the channel with its key, capability and router state, and its keys' secrets.
    Status remove(const QString &name);
    Status setEnabled(const QString &name, bool enabled);

    // A key the upstream rejected (401/403): skipped until a passing test clears it.
    Status setKeyDisabled(qint64 channelId, const QString &keyId, const QString &reason);
    // Clears one key's disabled state, or every key's when keyId is empty.
    Status clearKeyDisabled(qint64 channelId, const QString &keyId = {});
    // Inserts or replaces what was learned for (channel, model, capability).
    Status recordLearned(qint64 channelId, const LearnedCapability &learned);
    Status clearLearned(qint64 channelId);

private:
    Database &m_db;
};

} // namespace tarn::gateway
