// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSocketNotifier;

namespace tarn::app {

// Turns SIGINT/SIGTERM (Ctrl+C / console close on Windows) into a Qt signal delivered on the event
// loop, so shutdown runs as ordinary code: finish in-flight requests, flush usage, exit 0.
class ShutdownSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ShutdownSignals)

public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

Q_SIGNALS:
    void shutdownRequested();

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace tarn::app
