// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/api/ResponseStore.h"

namespace tarn::gateway {

namespace {

qint64 weightOf(const std::vector<ir::Part> &parts)
{
    qint64 bytes = 0;
    for (const ir::Part &part : parts) {
        bytes += qint64(sizeof(ir::Part)) + qint64(part.text.size() + part.signature.size() + part.image.data.size()
                                                  + part.image.url.size() + part.id.size() + part.name.size()
                                                  + part.arguments.size() + part.cacheControl.size());
        bytes += weightOf(part.content);
    }
    return bytes;
}

} // namespace

ResponseStore::ResponseStore(Limits limits) : m_limits(limits) {}

qint64 ResponseStore::weightOf(const std::vector<ir::Message> &conversation)
{
    qint64 bytes = 0;
    for (const ir::Message &message : conversation)
        bytes += qint64(sizeof(ir::Message)) + tarn::gateway::weightOf(message.parts);
    return bytes;
}

void ResponseStore::put(qint64 clientKeyId, const std::string &responseId, std::vector<ir::Message> conversation,
                        qint64 nowMs)
{
    const qint64 bytes = weightOf(conversation);
    std::lock_guard lock(m_mutex);
    if (const auto it = m_byId.find(responseId); it != m_byId.end()) {
        m_bytes -= it->second->bytes;
        m_entries.erase(it->second);
        m_byId.erase(it);
    }
    if (bytes > m_limits.maxBytes || m_limits.maxEntries <= 0)
        return;
    expire(nowMs);
    while (!m_entries.empty()
           && (int(m_entries.size()) >= m_limits.maxEntries || m_bytes + bytes > m_limits.maxBytes))
        dropOldest();
    m_entries.push_back(Entry{responseId, clientKeyId, nowMs, bytes, std::move(conversation)});
    m_byId.emplace(responseId, std::prev(m_entries.end()));
    m_bytes += bytes;
}

std::optional<std::vector<ir::Message>> ResponseStore::find(qint64 clientKeyId, const std::string &responseId,
                                                             qint64 nowMs) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_byId.find(responseId);
    if (it == m_byId.end())
        return std::nullopt;
    const Entry &entry = *it->second;
    if (entry.clientKeyId != clientKeyId || nowMs - entry.storedMs > m_limits.maxAgeMs)
        return std::nullopt;
    return entry.conversation;
}

int ResponseStore::size() const
{
    std::lock_guard lock(m_mutex);
    return int(m_entries.size());
}

qint64 ResponseStore::bytes() const
{
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

void ResponseStore::dropOldest()
{
    m_bytes -= m_entries.front().bytes;
    m_byId.erase(m_entries.front().id);
    m_entries.pop_front();
}

void ResponseStore::expire(qint64 nowMs)
{
    while (!m_entries.empty() && nowMs - m_entries.front().storedMs > m_limits.maxAgeMs)
        dropOldest();
}

std::vector<ir::Message> continuedConversation(std::vector<ir::Message> stored, std::vector<ir::Message> next)
{
    for (ir::Message &message : next) {
        if (!stored.empty() && stored.back().role == message.role) {
            std::vector<ir::Part> &parts = stored.back().parts;
            parts.insert(parts.end(), std::make_move_iterator(message.parts.begin()),
                         std::make_move_iterator(message.parts.end()));
        } else {
            stored.push_back(std::move(message));
        }
    }
    return stored;
}

} // namespace tarn::gateway
