// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Conversation.h"

#include <QtGlobal>

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tarn::gateway {

// Recent Responses API answers, so a client may continue one by previous_response_id instead of
// sending the whole conversation again. Each entry is the conversation the answer ended: the
// messages it was asked with (earlier turns already expanded) and the answer as the assistant's
// message. Instructions and tools are not kept: the API does not carry them over either.
//
// Bounded three ways, documented in README: entries (oldest dropped first), bytes of text held
// (oldest dropped first until the new entry fits; one entry larger than the whole budget is not
// kept), and age (an entry older than maxAgeMs is gone). Entries belong to the client key that
// made them: another key asking for the id is told it does not exist. In memory only: a restart
// forgets them (Codex, the main Responses client, sends the whole history with store: false and
// never needs them). Thread-safe.
class ResponseStore
{
public:
    struct Limits
    {
        int maxEntries = 1000;
        qint64 maxBytes = 64LL * 1024 * 1024;
        qint64 maxAgeMs = 6LL * 60 * 60 * 1000;
    };

    explicit ResponseStore(Limits limits);
    ResponseStore() : ResponseStore(Limits{}) {}

    // Keeps the conversation an answer ended, under the answer's id (a new answer with the same
    // id replaces the old). clientKeyId 0 = loopback without a key.
    void put(qint64 clientKeyId, const std::string &responseId, std::vector<ir::Message> conversation, qint64 nowMs);
    // The conversation to continue, or nullopt when the id is unknown, expired or another key's.
    std::optional<std::vector<ir::Message>> find(qint64 clientKeyId, const std::string &responseId, qint64 nowMs) const;

    int size() const;
    qint64 bytes() const;

    // What an entry costs against maxBytes: the text, data and arguments it holds.
    static qint64 weightOf(const std::vector<ir::Message> &conversation);

private:
    struct Entry
    {
        std::string id;
        qint64 clientKeyId = 0;
        qint64 storedMs = 0;
        qint64 bytes = 0;
        std::vector<ir::Message> conversation;
    };
    void dropOldest(); // m_mutex held
    void expire(qint64 nowMs); // m_mutex held

    const Limits m_limits;
    mutable std::mutex m_mutex;
    std::list<Entry> m_entries; // oldest first
    std::unordered_map<std::string, std::list<Entry>::iterator> m_byId;
    qint64 m_bytes = 0;
};

// The conversation a request continues, then its own messages: a message of the same role as the
// stored conversation's last one is merged into it (formats that alternate roles need that).
std::vector<ir::Message> continuedConversation(std::vector<ir::Message> stored, std::vector<ir::Message> next);

} // namespace tarn::gateway
