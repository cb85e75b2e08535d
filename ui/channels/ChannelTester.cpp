// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelTester.h"

#include "gateway/Gateway.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/routing/RouterUpkeep.h"

#include <QCoreApplication>
#include <QObject>

#include <memory>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

ChannelTestOutcome summarize(const QList<ProbeResult> &results)
{
    if (results.isEmpty())
        return {false, 0, QCoreApplication::translate("ChannelTester", "nothing to test (no keys, or the channel is not saved)")};
    ChannelTestOutcome outcome{true, 0, {}};
    for (const ProbeResult &r : results) {
        if (!r.passed) {
            // The probe's error already starts with the status ("HTTP 401: <the provider's words>").
            return {false, r.latencyMs, QStringLiteral("%1: %2").arg(r.keyId, r.error)};
        }
        outcome.latencyMs = std::max(outcome.latencyMs, r.latencyMs);
    }
    return outcome;
}

} // namespace

void testSavedChannel(DesktopService &service, QObject *context, qint64 channelId,
                      std::function<void(const ChannelTestOutcome &)> done)
{
    RouterUpkeep &upkeep = service.gateway().routerUpkeep();
    // channelTested answers every caller; this one listens for its channel once.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(&upkeep, &RouterUpkeep::channelTested, context,
                                   [connection, channelId, done = std::move(done)](qint64 id, const QList<ProbeResult> &results) {
                                       if (id != channelId)
                                           return;
                                       QObject::disconnect(*connection);
                                       done(summarize(results));
                                   });
    // The upkeep lives on the gateway's thread, which need not be this one.
    QMetaObject::invokeMethod(&upkeep, [&upkeep, channelId] { upkeep.testChannel(channelId); });
}

QString testOutcomeText(const ChannelTestOutcome &outcome)
{
    if (outcome.passed)
        return QCoreApplication::translate("ChannelTester", "passed in %1 ms").arg(outcome.latencyMs);
    return QCoreApplication::translate("ChannelTester", "failed: %1").arg(outcome.error);
}

} // namespace tarn::ui
