// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/logs/LogsPage.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/UsageStatsRepository.h"

#include "ui/PageLayout.h"
#include "ui/logs/RequestLogColumns.h"
#include "ui/logs/RequestLogModel.h"

#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

// What the filter combos offer, read in one go on the service's thread.
struct FilterChoices
{
    QStringList models;
    QStringList channels;
    QList<std::pair<qint64, QString>> clientKeys;
    QString error;
};

QComboBox *addFilter(QWidget *parent, QHBoxLayout *layout, const QString &objectName, const QString &label)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(objectName);
    combo->setAccessibleName(label);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    layout->addWidget(new QLabel(label, parent));
    layout->addWidget(combo);
    return combo;
}

// Replaces a combo's choices after its first fixed entries ("all", ...), keeping the selection when it still exists;
// false when the selection had to fall back to "all".
bool setChoices(QComboBox *combo, const QList<std::pair<QVariant, QString>> &choices, int fixed = 1)
{
    const QSignalBlocker block(combo);
    const QVariant selected = combo->currentData();
    while (combo->count() > fixed)
        combo->removeItem(fixed);
    for (const auto &[value, text] : choices)
        combo->addItem(text, value);
    const int index = combo->findData(selected);
    combo->setCurrentIndex(index >= 0 ? index : 0);
    return index >= 0;
}

} // namespace

LogsPage::LogsPage(DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("logsPage"));
    QVBoxLayout *layout = createPageLayout(this, tr("Logs"),
                                           tr("Every request, newest first, with the channels it went through; new ones appear "
                                              "at the top. Tokens read input / output / cached / reasoning. "
                                              "Select a request for its attempts and errors in full."));

    auto *filters = new QHBoxLayout;
    m_modelCombo = addFilter(this, filters, QStringLiteral("modelFilter"), tr("Model"));
    m_modelCombo->addItem(tr("All"), QString());
    m_channelCombo = addFilter(this, filters, QStringLiteral("channelFilter"), tr("Channel"));
    m_channelCombo->addItem(tr("All"), QString());
    m_statusCombo = addFilter(this, filters, QStringLiteral("statusFilter"), tr("Status"));
    m_statusCombo->addItem(tr("Any"), int(RequestLogFilter::Status::Any));
    m_statusCombo->addItem(tr("Success"), int(RequestLogFilter::Status::Success));
    m_statusCombo->addItem(tr("Error"), int(RequestLogFilter::Status::Error));
    m_clientCombo = addFilter(this, filters, QStringLiteral("clientFilter"), tr("Client"));
    m_clientCombo->addItem(tr("All"), qint64(0));
    m_clientCombo->addItem(tr("This machine (no key)"), RequestLogFilter::NoClientKey);
    m_formatCombo = addFilter(this, filters, QStringLiteral("formatFilter"), tr("Format"));
    m_formatCombo->addItem(tr("All"), QString());
    for (const char *format : {"openai", "responses", "anthropic", "gemini"})
        m_formatCombo->addItem(QString::fromLatin1(format), QString::fromLatin1(format));
    filters->addStretch(1);
    layout->addLayout(filters);

    m_model = new RequestLogModel(service, this);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("requestLogView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    // Fixed row heights keep scrolling through thousands of rows cheap.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    // Model names are long and differ at their ends ("claude-sonnet-4-5-20250929"): elide the middle.
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_columns = new RequestLogColumns(m_view);
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { keepScrollAnchored(first, last); });
    layout->addWidget(m_view, 1);

    // What the cells shorten (an error, a failover chain, a long model name), in full for the
    // selected request, selectable to copy into a bug report.
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("logsDetails"));
    m_details->setAccessibleName(tr("Selected request"));
    m_details->setFrameShape(QFrame::StyledPanel);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setWordWrap(true);
    m_details->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_details->setMargin(6);
    m_details->setMinimumHeight(m_details->fontMetrics().lineSpacing() * kDetailsLines + 14);
    layout->addWidget(m_details);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LogsPage::showDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &LogsPage::showDetails);
    showDetails();

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("logsMessage"));
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(kPollMs);
    connect(m_pollTimer, &QTimer::timeout, m_model, &RequestLogModel::pollNewer);
    connect(m_model, &RequestLogModel::loadFailed, this,
            [this](const QString &message) { m_message->setText(tr("Could not read the log: %1").arg(message)); });
    connect(m_model, &RequestLogModel::loaded, this, [this] {
        m_message->setText(m_model->rowCount() == 0 ? tr("No requests match.") : QString());
    });
    for (QComboBox *combo : {m_modelCombo, m_channelCombo, m_statusCombo, m_clientCombo, m_formatCombo})
        connect(combo, &QComboBox::currentIndexChanged, this, &LogsPage::applyFilter);
    connect(&m_service, &DesktopService::configurationChanged, this, [this] {
        if (isVisible())
            refreshFilterChoices();
    });
}

LogsPage::~LogsPage() = default;

RequestLogFilter LogsPage::currentFilter() const
{
    RequestLogFilter filter;
    filter.model = m_modelCombo->currentData().toString();
    filter.channel = m_channelCombo->currentData().toString();
    filter.status = RequestLogFilter::Status(m_statusCombo->currentData().toInt());
    filter.clientKeyId = m_clientCombo->currentData().toLongLong();
    filter.inboundFormat = m_formatCombo->currentData().toString();
    return filter;
}

void LogsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refreshFilterChoices();
    // The first page is read when the page is first shown, not when the window is built.
    if (!m_loadedOnce) {
        m_loadedOnce = true;
        applyFilter();
    } else {
        m_model->pollNewer();
    }
    m_pollTimer->start();
}

void LogsPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_pollTimer->stop();
}

void LogsPage::refresh()
{
    refreshFilterChoices();
    m_model->pollNewer();
}

void LogsPage::keepScrollAnchored(int first, int last)
{
    // Only rows put in at the top move what is under the user; at the very top the newest show.
    QScrollBar *bar = m_view->verticalScrollBar();
    if (first != 0 || bar->value() == 0 || last + 1 == m_model->rowCount())
        return;
    const int inserted = last - first + 1;
    const int step = m_view->verticalScrollMode() == QAbstractItemView::ScrollPerItem
        ? inserted
        : inserted * m_view->verticalHeader()->defaultSectionSize();
    // The view grows the scroll range later, in its delayed layout: grow it now so the value holds.
    bar->setMaximum(bar->maximum() + step);
    bar->setValue(bar->value() + step);
}

QString LogsPage::detailsText() const
{
    return m_details->text();
}

void LogsPage::showDetails()
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    m_details->setText(current.isValid() ? m_model->detailsText(current.row())
                                         : tr("Select a request to see where it went, every attempt with its error, "
                                              "and its tokens in full."));
}

void LogsPage::applyFilter()
{
    m_model->setFilter(currentFilter());
}

void LogsPage::refreshFilterChoices()
{
    m_service.run<FilterChoices>(
        this,
        [](Database &database) {
            FilterChoices choices;
            const UsageStatsRepository usage(database);
            const Result<QStringList> models = usage.knownModels();
            const Result<QStringList> channels = usage.knownChannels();
            const Result<QList<ClientKey>> keys = ClientKeyRepository(database).list();
            if (models)
                choices.models = *models;
            else
                choices.error = models.error().message;
            if (channels)
                choices.channels = *channels;
            else
                choices.error = channels.error().message;
            if (keys) {
                for (const ClientKey &key : *keys)
                    choices.clientKeys.append({key.id, key.name});
            } else {
                choices.error = keys.error().message;
            }
            return choices;
        },
        [this](const FilterChoices &choices) {
            const auto asChoices = [](const QStringList &values) {
                QList<std::pair<QVariant, QString>> list;
                for (const QString &v : values)
                    list.append({v, v});
                return list;
            };
            QList<std::pair<QVariant, QString>> keys;
            for (const auto &[id, name] : choices.clientKeys)
                keys.append({id, name});
            bool kept = setChoices(m_modelCombo, asChoices(choices.models));
            kept = setChoices(m_channelCombo, asChoices(choices.channels)) && kept;
            kept = setChoices(m_clientCombo, keys, 2) && kept;
            if (!kept)
                applyFilter();
            if (!choices.error.isEmpty())
                m_message->setText(tr("Could not read the filter choices: %1").arg(choices.error));
        });
}

} // namespace tarn::ui
