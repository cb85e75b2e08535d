// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/ShareChart.h"

#include "gateway/config/RuntimeConfig.h"
#include "ui/NumberFormat.h"

#include <QChart>
#include <QCoreApplication>
#include <QCursor>
#include <QLegend>
#include <QPieLegendMarker>
#include <QPieSeries>
#include <QToolTip>

#include <algorithm>

using namespace tarn::gateway;

namespace tarn::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("tarn::ui::UsageCharts", text);
}

// Tableau's ten plus two: distinct on light and dark backgrounds.
const QList<QColor> &palette()
{
    static const QList<QColor> colours = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c), QColor(0x94, 0x67, 0xbd),
        QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22),
        QColor(0x39, 0x3b, 0x79), QColor(0xad, 0x49, 0x4a), QColor(0x63, 0x79, 0x39), QColor(0x84, 0x3c, 0x39),
    };
    return colours;
}

} // namespace

QHash<QString, QColor> usageColours(QStringList names, const QStringList &known)
{
    names += known;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    QHash<QString, QColor> result;
    QList<bool> used(palette().size(), false);
    for (const QString &name : names) {
        // FNV-1a: the same in every run (qHash is seeded per process).
        quint32 hash = 2166136261u;
        for (const QChar c : name)
            hash = (hash ^ c.unicode()) * 16777619u;
        int slot = int(hash % quint32(palette().size()));
        for (int tries = 0; used[slot] && tries < palette().size(); ++tries)
            slot = (slot + 1) % int(palette().size());
        used[slot] = true;
        result.insert(name, palette()[slot]);
    }
    return result;
}

ColourNames colourNames(const RuntimeConfig &config)
{
    ColourNames names;
    for (const Channel &channel : config.channels) {
        names.channels.append(channel.name);
        names.models += channel.servedModels();
    }
    return names;
}

QColor usageOtherColour()
{
    return QColor(0x9e, 0x9e, 0x9e);
}

void fillShareChart(QChart *chart, const QList<UsageShare> &shares, const QString &name, int maxSlices,
                    ShareLabels labels, const QStringList &known)
{
    chart->removeAllSeries();
    auto *pie = new QPieSeries;
    pie->setName(name);
    // More than a handful of slices is unreadable: the rest go into one "other" slice.
    const int MaxSlices = std::max(1, maxSlices);
    qint64 other = 0;
    qint64 total = 0;
    QStringList names;
    for (int i = 0; i < shares.size(); ++i) {
        total += shares[i].totals.promptTokens + shares[i].totals.completionTokens;
        if (i < MaxSlices)
            names.append(shares[i].name);
    }
    const QHash<QString, QColor> colours = usageColours(names, known);
    // A slice carries its name in full (the legend and tooltips show it); the share is written on
    // the slice when it is big enough to hold it.
    const auto addSlice = [pie, total, labels](const QString &label, qint64 tokens, const QColor &colour) {
        auto *slice = pie->append(label, double(tokens));
        slice->setColor(colour);
        const double share = total > 0 ? double(tokens) / double(total) : 0;
        slice->setProperty("share", share);
        if (labels == ShareLabels::OnSlices && share >= 0.05) {
            slice->setLabel(formatPercent(share).replace(QStringLiteral(".0 %"), QStringLiteral(" %")));
            slice->setLabelVisible(true);
            slice->setLabelPosition(QPieSlice::LabelInsideHorizontal);
            slice->setLabelColor(Qt::white);
        } else {
            slice->setLabel(QString());
        }
        slice->setProperty("name", label);
        QObject::connect(slice, &QPieSlice::hovered, slice, [label, tokens, share](bool state) {
            if (state)
                QToolTip::showText(QCursor::pos(), QStringLiteral("%1: %2 tokens (%3)").arg(label, formatCount(tokens),
                                                                                          formatPercent(share)));
            else
                QToolTip::hideText();
        });
    };
    for (int i = 0; i < shares.size(); ++i) {
        const qint64 tokens = shares[i].totals.promptTokens + shares[i].totals.completionTokens;
        if (i < MaxSlices)
            addSlice(shares[i].name.isEmpty() ? tr("(none)") : shares[i].name, tokens, colours.value(shares[i].name));
        else
            other += tokens;
    }
    if (other > 0)
        addSlice(tr("other"), other, usageOtherColour());
    chart->addSeries(pie);
    // The legend names each slice in full, with its share when the slices do not carry it.
    const auto markers = chart->legend()->markers(pie);
    for (QLegendMarker *marker : markers) {
        auto *slice = qobject_cast<QPieLegendMarker *>(marker)->slice();
        QString text = slice->property("name").toString();
        if (labels == ShareLabels::InLegend) // whole percents: the narrow legend of a small pie
            text += QStringLiteral("  %1 %").arg(qRound(slice->property("share").toDouble() * 100));
        marker->setLabel(text);
    }
}

} // namespace tarn::ui
