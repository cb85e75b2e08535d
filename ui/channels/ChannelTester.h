// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QtGlobal>

#include <functional>

class QObject;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// What a health test of a saved channel showed: the slowest passing key's latency, or the first
// failure.
struct ChannelTestOutcome
{
    bool passed = false;
    qint64 latencyMs = 0;
    QString error; // empty when passed
};

// Tests every key of the saved channel with a real request, through the gateway's RouterUpkeep
// (the path `tarn channel test` and the re-test of disabled keys take, so a passing key is
// re-enabled), and calls done on context's thread; dropped if context is gone first.
void testSavedChannel(gateway::DesktopService &service, QObject *context, qint64 channelId,
                      std::function<void(const ChannelTestOutcome &)> done);

// "passed in 420 ms" or "failed: …".
QString testOutcomeText(const ChannelTestOutcome &outcome);

} // namespace tarn::ui
