// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/TailscaleServeRow.h"

#include "gateway/Gateway.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"

#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QPushButton>

#include <memory>
#include <utility>

namespace tarn::ui {

using gateway::Result;
using gateway::ServeEntry;
using gateway::ServeReach;

namespace {

constexpr int kTimeoutMs = 20'000; // a wedged tailscaled: said after this, never a frozen window

} // namespace

TailscaleServeRow::TailscaleServeRow(gateway::DesktopService &service, std::function<bool(const QString &)> confirm, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_confirm(std::move(confirm))
{
    setObjectName(QStringLiteral("tailscaleServeRow"));
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("serveState"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_serve = new QPushButton(this);
    m_serve->setObjectName(QStringLiteral("serveButton"));
    m_serve->setToolTip(tr("tailscale serve: an HTTPS address on this machine's Tailscale name for your tailnet, "
                           "proxied to Tarn on this machine. Nothing else is opened."));
    m_funnel = new QPushButton(this);
    m_funnel->setObjectName(QStringLiteral("funnelButton"));
    m_funnel->setToolTip(tr("tailscale funnel: the same HTTPS address on the internet, for clients that call from "
                            "the cloud (Cursor). Every request then needs a client key."));
    connect(m_serve, &QPushButton::clicked, this, [this] { toggle(ServeReach::Tailnet); });
    connect(m_funnel, &QPushButton::clicked, this, [this] { toggle(ServeReach::Internet); });

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Tailscale HTTPS"), this));
    layout->addWidget(m_state, 1);
    layout->addWidget(m_serve);
    layout->addWidget(m_funnel);
    showEntries(QList<ServeEntry>{});
    refresh();
}

TailscaleServeRow::~TailscaleServeRow() = default;

quint16 TailscaleServeRow::loopbackPort() const
{
    for (const QUrl &url : m_service.gateway().urls()) {
        if (QHostAddress(url.host()).isLoopback() && url.port() > 0)
            return quint16(url.port());
    }
    return 0;
}

void TailscaleServeRow::refresh()
{
    if (m_busy) {
        m_refreshWanted = true;
        return;
    }
    const quint16 port = loopbackPort();
    if (port == 0) {
        showEntries(gateway::Error::invalid(tr("Tarn does not listen on this machine's loopback address, which Tailscale "
                                               "would proxy to.")));
        return;
    }
    setBusy(tr("Asking Tailscale…"));
    readBack(port, {});
}

void TailscaleServeRow::readBack(quint16 port, const QString &failure)
{
    gateway::runTailscaleAsync(this, gateway::serveStatusArguments(), kTimeoutMs, [this, port, failure](Result<gateway::TailscaleRun> run) {
        const Result<gateway::TailscaleRun> checked = gateway::checkedRun(gateway::serveStatusArguments(), std::move(run));
        showEntries(checked ? gateway::parseServeStatus(checked->out, port) : Result<QList<ServeEntry>>(checked.error()), failure);
    });
}

void TailscaleServeRow::toggle(ServeReach reach)
{
    const quint16 port = loopbackPort();
    if (port == 0)
        return;
    const bool on = reach == ServeReach::Internet ? !m_funnelled : !m_served;
    if (!on || reach == ServeReach::Tailnet) {
        change(reach, on, port);
        return;
    }
    if (!m_confirm(tr("Open Tarn to the whole internet through Tailscale Funnel? Anyone who finds the address can "
                      "try a client key, so every request must carry one. Use it only for clients that call from "
                      "the cloud, and revoke keys you stop using.")))
        return;
    // The internet at large: nothing gets in without a key, and there must be one to get in with.
    setBusy(tr("Checking the client keys…"));
    m_service.run<Result<bool>>(
        this, [](gateway::Database &db) { return gateway::ClientKeyRepository(db).hasActive(QDateTime::currentDateTimeUtc()); },
        [this, port](Result<bool> anyActive) {
            if (anyActive && *anyActive) {
                change(ServeReach::Internet, true, port);
                return;
            }
            readBack(port, anyActive ? tr("Not opened: funnel needs a client key to let requests in; create one "
                                          "under Client keys first.")
                                     : anyActive.error().message);
        });
}

void TailscaleServeRow::change(ServeReach reach, bool on, quint16 port)
{
    setBusy(on ? tr("Asking Tailscale to serve Tarn…") : tr("Asking Tailscale to stop…"));
    const QStringList args = on ? gateway::serveArguments(reach, port) : gateway::serveOffArguments(reach);
    gateway::runTailscaleAsync(this, args, kTimeoutMs, [this, args, port](Result<gateway::TailscaleRun> run) {
        const Result<gateway::TailscaleRun> done = gateway::checkedRun(args, std::move(run));
        readBack(port, done ? QString() : done.error().message);
    });
}

void TailscaleServeRow::setBusy(const QString &text)
{
    m_busy = true;
    m_state->setText(text);
    m_state->setStyleSheet(QString());
    m_serve->setEnabled(false);
    m_funnel->setEnabled(false);
}

void TailscaleServeRow::showEntries(const Result<QList<ServeEntry>> &entries, const QString &failure)
{
    m_served = entries && !entries->isEmpty();
    m_funnelled = entries && std::any_of(entries->cbegin(), entries->cend(), [](const ServeEntry &e) { return e.funnel; });
    const bool usable = entries.ok();
    m_serve->setText(m_served ? tr("Stop serving") : tr("Serve on my tailnet"));
    m_funnel->setText(m_funnelled ? tr("Close to the internet") : tr("Open to the internet…"));
    m_serve->setEnabled(usable);
    // Funnel goes on top of serve's address; closing it leaves serve as it was.
    m_funnel->setEnabled(usable);
    QStringList lines;
    if (!failure.isEmpty())
        lines << failure;
    if (!entries) {
        lines << entries.error().message;
    } else if (entries->isEmpty()) {
        lines << tr("Not served: other devices use the address above.");
    } else {
        for (const ServeEntry &entry : *entries) {
            lines << (entry.funnel ? tr("%1/v1 (the whole internet: every request needs a client key)")
                                   : tr("%1/v1 (your tailnet)"))
                         .arg(entry.url);
        }
    }
    m_state->setText(lines.join(u'\n'));
    m_state->setStyleSheet(!failure.isEmpty() || m_funnelled ? QStringLiteral("color: #b35c00;") : QString());
    m_busy = false;
    Q_EMIT settled();
    if (std::exchange(m_refreshWanted, false))
        refresh();
}

} // namespace tarn::ui
