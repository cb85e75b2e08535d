// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/ListenGroup.h"

#include "gateway/Gateway.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/core/SettingKeys.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "ui/settings/TailscaleServeRow.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace tarn::ui {

using gateway::ExposeMode;

namespace {

constexpr int kCustom = -1; // the combo's data for custom addresses

} // namespace

ListenGroup::ListenGroup(gateway::DesktopService &service, std::function<bool(const QString &)> confirm, QWidget *parent)
    : QGroupBox(tr("Listen addresses"), parent)
    , m_service(service)
    , m_confirm(std::move(confirm))
{
    setObjectName(QStringLiteral("listenGroup"));
    const gateway::GatewayOptions &options = m_service.gateway().options();
    QStringList hosts;
    quint16 port = gateway::kDefaultPort;
    for (const gateway::ListenAddress &address : options.listen) {
        hosts.append(address.host);
        if (address.port != 0)
            port = address.port;
    }
    // Port 0 (any free port) shows the one the gateway got.
    if (const QList<QUrl> urls = m_service.gateway().urls(); !urls.isEmpty() && urls.first().port() > 0
        && std::all_of(options.listen.cbegin(), options.listen.cend(), [](const auto &a) { return a.port == 0; }))
        port = quint16(urls.first().port());

    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("exposeCombo"));
    m_mode->setAccessibleName(tr("Who can reach Tarn"));
    m_mode->addItem(tr("Only this machine"), int(ExposeMode::Loopback));
    m_mode->addItem(tr("This machine and my tailnet (Tailscale)"), int(ExposeMode::Tailscale));
    m_mode->addItem(tr("Every network (all interfaces)"), int(ExposeMode::All));
    m_mode->addItem(tr("Custom addresses"), kCustom);
    const std::optional<ExposeMode> mode = m_service.gateway().exposeMode();
    m_mode->setCurrentIndex(m_mode->findData(mode ? int(*mode) : kCustom));

    m_hosts = new QLineEdit(hosts.join(QStringLiteral(", ")), this);
    m_hosts->setObjectName(QStringLiteral("listenEdit"));
    m_hosts->setPlaceholderText(tr("127.0.0.1, 100.64.1.2"));
    m_hosts->setToolTip(tr("Addresses to listen on, comma-separated. Anything but loopback lets other "
                           "machines reach Tarn: they then need a client key."));
    m_customHosts = m_hosts->text();
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("portSpin"));
    m_port->setRange(1, 65535);
    m_port->setValue(port);
    auto *save = new QPushButton(tr("Save"), this);
    save->setObjectName(QStringLiteral("saveListenButton"));
    connect(save, &QPushButton::clicked, this, &ListenGroup::save);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("listenNote"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    showState(tr("Now listening on %1.").arg(urlsText()), false);
    // Bound elsewhere too (a Tailscale address that came, another window): the note tells what is true now.
    connect(&m_service.gateway(), &gateway::Gateway::listeningChanged, m_note,
            [this] { showState(tr("Now listening on %1.").arg(urlsText()), false); });

    auto *reach = new QHBoxLayout;
    reach->addWidget(new QLabel(tr("Reachable from"), this));
    reach->addWidget(m_mode, 1);
    auto *fields = new QHBoxLayout;
    fields->addWidget(new QLabel(tr("Addresses"), this));
    fields->addWidget(m_hosts, 1);
    fields->addWidget(new QLabel(tr("Port"), this));
    fields->addWidget(m_port);
    fields->addWidget(save);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(reach);
    layout->addLayout(fields);
    layout->addWidget(m_note);
    auto *serve = new TailscaleServeRow(m_service, m_confirm, this);
    layout->addWidget(serve);
    // What tailscale proxies to is Tarn's loopback port, which a save may have moved.
    connect(&m_service.gateway(), &gateway::Gateway::listeningChanged, serve, &TailscaleServeRow::refresh);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &ListenGroup::showChoice);
    connect(m_hosts, &QLineEdit::textEdited, this, [this](const QString &text) { m_customHosts = text; });
    connect(m_port, &QSpinBox::valueChanged, this, [this] {
        if (chosenMode())
            showChoice();
    });
    showChoice();
}

ListenGroup::~ListenGroup() = default;

std::optional<ExposeMode> ListenGroup::chosenMode() const
{
    const int data = m_mode->currentData().toInt();
    return data == kCustom ? std::nullopt : std::optional(ExposeMode(data));
}

void ListenGroup::showSaved(const QString &listen, const QString &expose)
{
    if (!listen.isEmpty()) {
        QStringList hosts;
        int port = 0;
        for (const QString &entry : listen.split(u',', Qt::SkipEmptyParts)) {
            const qsizetype colon = entry.lastIndexOf(u':');
            hosts.append(entry.left(colon).remove(u'[').remove(u']'));
            port = entry.mid(colon + 1).toInt();
        }
        m_customHosts = hosts.join(QStringLiteral(", "));
        if (port > 0)
            m_port->setValue(port);
    }
    const std::optional<ExposeMode> mode = gateway::exposeModeFromString(expose);
    const QSignalBlocker block(m_mode);
    m_mode->setCurrentIndex(m_mode->findData(mode ? int(*mode) : kCustom));
    showChoice();
}

void ListenGroup::showChoice()
{
    const std::optional<ExposeMode> mode = chosenMode();
    m_hosts->setEnabled(!mode);
    if (!mode) {
        m_hosts->setText(m_customHosts);
        return;
    }
    // What the exposure stands for here and now.
    QStringList hosts;
    for (const gateway::ListenAddress &address :
         gateway::exposeAddresses(*mode, quint16(m_port->value()), m_service.gateway().options().interfaces()))
        hosts.append(address.host);
    if (*mode == ExposeMode::Tailscale && hosts.size() <= 2)
        hosts.append(tr("(the Tailscale address, once there is one)"));
    m_hosts->setText(hosts.join(QStringLiteral(", ")));
}

void ListenGroup::save()
{
    const std::optional<ExposeMode> mode = chosenMode();
    const quint16 port = quint16(m_port->value());
    QStringList entries;
    gateway::Result<QList<QUrl>> bound = QList<QUrl>{};
    if (mode) {
        if (*mode == ExposeMode::All
            && !m_confirm(tr("Listen on every network? Any machine that can reach this one can then try a client "
                             "key. Only this machine and your tailnet is the safer choice.")))
            return;
        bound = m_service.gateway().setExposeMode(mode, port);
        entries.append(QStringLiteral("127.0.0.1:%1").arg(port)); // the port, for the next start
    } else {
        QList<gateway::ListenAddress> addresses;
        for (const QString &host : m_hosts->text().split(u',', Qt::SkipEmptyParts)) {
            const QString trimmed = host.trimmed();
            if (trimmed.isEmpty())
                continue;
            const QString bracketed = trimmed.contains(u':') ? u'[' + trimmed + u']' : trimmed; // IPv6
            const QString entry = bracketed + u':' + QString::number(port);
            const gateway::Result<gateway::ListenAddress> address = gateway::parseListenAddress(entry);
            if (!address) {
                showState(tr("Not saved: %1").arg(address.error().message), true);
                return;
            }
            addresses.append(*address);
            entries.append(entry);
        }
        if (addresses.isEmpty()) {
            addresses.append({QStringLiteral("127.0.0.1"), port});
            entries.append(QStringLiteral("127.0.0.1:%1").arg(port));
        }
        // Bound first, saved only if that worked: a saved address Tarn cannot bind would leave the
        // next start unreachable. Leaving an exposure first lifts its peer filter.
        const std::optional<ExposeMode> previous = m_service.gateway().exposeMode();
        (void)m_service.gateway().setExposeMode(std::nullopt, port);
        bound = m_service.gateway().setListenAddresses(addresses);
        if (!bound && previous)
            (void)m_service.gateway().setExposeMode(previous, m_service.gateway().options().exposePort);
    }
    if (!bound) {
        showState(tr("Not saved: %1. Still listening on %2.").arg(bound.error().message, urlsText()), true);
        return;
    }
    showState(tr("Now listening on %1.").arg(urlsText()), false);
    const QString listen = entries.join(u',');
    const QString expose = mode ? gateway::exposeModeName(*mode) : QString();
    m_service.run<gateway::Status>(
        this,
        [listen, expose](gateway::Database &database) {
            return database.transaction([&] {
                gateway::SettingsRepository settings(database);
                if (gateway::Status s = settings.setValue(QString::fromLatin1(gateway::SettingKeys::Expose), expose); !s)
                    return s;
                return settings.setValue(QString::fromLatin1(gateway::SettingKeys::Listen), listen);
            });
        },
        [this](gateway::Status status) {
            if (!status) {
                showState(tr("Listening as asked, but not saved for the next start: %1").arg(status.error().message), true);
                return;
            }
            Q_EMIT saved(QString::fromLatin1(gateway::SettingKeys::Listen));
        });
}

QString ListenGroup::urlsText() const
{
    QStringList urls;
    for (const QUrl &url : m_service.gateway().urls())
        urls.append(url.toString());
    return urls.isEmpty() ? tr("nothing") : urls.join(QStringLiteral(", "));
}

void ListenGroup::showState(const QString &text, bool failed)
{
    m_note->setText(text);
    m_note->setProperty("failed", failed);
    QPalette palette = m_note->palette();
    palette.setColor(QPalette::WindowText, failed ? QColor(0xc0, 0x39, 0x2b) : this->palette().color(QPalette::WindowText));
    m_note->setPalette(palette);
}

} // namespace tarn::ui
