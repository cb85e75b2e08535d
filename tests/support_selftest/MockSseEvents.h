// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers for the mock's format selftests: SSE bodies split into named JSON events.
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

namespace tarn::test {

struct SseEvent
{
    QByteArray name; // the `event:` field, empty when none
    QByteArray data; // the `data:` payload
    QJsonObject json() const { return QJsonDocument::fromJson(data).object(); }
};

inline QList<SseEvent> sseEvents(QByteArray body)
{
    body.replace("\r\n", "\n");
    QList<SseEvent> out;
    for (const QByteArray &block : body.split('\n')) {
        if (block.startsWith("event:")) {
            out.append(SseEvent{block.mid(6).trimmed(), {}});
        } else if (block.startsWith("data:")) {
            if (out.isEmpty() || !out.constLast().data.isEmpty())
                out.append(SseEvent{});
            out.last().data = block.mid(5).trimmed();
        }
    }
    return out;
}

inline QList<QByteArray> eventNames(const QList<SseEvent> &events)
{
    QList<QByteArray> names;
    for (const SseEvent &event : events)
        names.append(event.name);
    return names;
}

inline QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace tarn::test
