// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelAdvancedForm.h"

#include "ui/channels/HeaderListEditor.h"

#include "gateway/cli/ChannelParams.h"
#include "gateway/cli/CliSupport.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tarn::ui {

using namespace tarn::gateway;

ChannelAdvancedForm::ChannelAdvancedForm(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);

    auto *connectionBox = new QGroupBox(tr("Connection"), this);
    auto *connection = new QFormLayout(connectionBox);
    m_proxy = new QLineEdit(this);
    m_proxy->setObjectName(QStringLiteral("proxyEdit"));
    m_proxy->setPlaceholderText(tr("the environment's, or http(s):// or socks5://host:port"));
    connection->addRow(tr("Pro&xy:"), m_proxy);
    m_testModel = new QLineEdit(this);
    m_testModel->setObjectName(QStringLiteral("testModelEdit"));
    m_testModel->setPlaceholderText(tr("the first model"));
    connection->addRow(tr("Test &model:"), m_testModel);
    m_headers = new HeaderListEditor(this);
    m_headers->setObjectName(QStringLiteral("headersEditor"));
    connect(m_headers, &HeaderListEditor::changed, this, &ChannelAdvancedForm::changed);
    connection->addRow(tr("Extra &headers:"), m_headers);
    m_failover = new QLineEdit(this);
    m_failover->setObjectName(QStringLiteral("failoverEdit"));
    m_failover->setPlaceholderText(tr("e.g. 400, 404"));
    m_failover->setToolTip(tr("Upstream statuses (400-599) that also move a request to the next channel, "
                              "besides the usual 429, 5xx and timeouts"));
    connection->addRow(tr("&Fail over on:"), m_failover);
    m_failoverError = new QLabel(this);
    m_failoverError->setObjectName(QStringLiteral("failoverErrorLabel"));
    m_failoverError->setWordWrap(true);
    m_failoverError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_failoverError->hide();
    connection->addRow(QString(), m_failoverError);
    connect(m_failover, &QLineEdit::textChanged, this, [this] {
        const QString error = failoverError();
        // Beside the field a short word does; the dialog's line below says it in full.
        m_failoverError->setText(error.isEmpty() ? QString() : tr("Statuses 400-599 only, separated by commas."));
        m_failoverError->setVisible(!error.isEmpty());
        m_failover->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c62828; }"));
    });
    layout->addWidget(connectionBox);

    auto *caps = new QGroupBox(tr("Capabilities"), this);
    auto *capsForm = new QFormLayout(caps);
    m_tools = capabilityCombo(QStringLiteral("toolsCombo"));
    m_vision = capabilityCombo(QStringLiteral("visionCombo"));
    m_jsonMode = capabilityCombo(QStringLiteral("jsonModeCombo"));
    capsForm->addRow(tr("Tools:"), m_tools);
    capsForm->addRow(tr("Vision:"), m_vision);
    capsForm->addRow(tr("JSON mode:"), m_jsonMode);
    m_contextTokens = countSpin(QStringLiteral("contextTokensSpin"), std::numeric_limits<int>::max());
    m_maxOutput = countSpin(QStringLiteral("maxOutputSpin"), std::numeric_limits<int>::max());
    // 0 is "from the built-in table" here, not "no limit".
    m_contextTokens->setSpecialValueText(tr("auto"));
    m_maxOutput->setSpecialValueText(tr("auto"));
    capsForm->addRow(tr("Context tokens:"), m_contextTokens);
    capsForm->addRow(tr("Max output tokens:"), m_maxOutput);
    m_learned = new QLabel(caps);
    m_learned->setObjectName(QStringLiteral("learnedLabel"));
    m_learned->setWordWrap(true);
    capsForm->addRow(tr("Learned:"), m_learned);
    layout->addWidget(caps);

    auto *budgets = new QGroupBox(tr("Budgets (0 = no limit)"), this);
    auto *budgetForm = new QFormLayout(budgets);
    m_rpm = countSpin(QStringLiteral("rpmSpin"), std::numeric_limits<int>::max());
    m_tpm = countSpin(QStringLiteral("tpmSpin"), std::numeric_limits<int>::max());
    m_perDay = countSpin(QStringLiteral("tokensPerDaySpin"), std::numeric_limits<int>::max());
    m_perMonth = countSpin(QStringLiteral("tokensPerMonthSpin"), std::numeric_limits<int>::max());
    budgetForm->addRow(tr("Requests per minute:"), m_rpm);
    budgetForm->addRow(tr("Tokens per minute:"), m_tpm);
    budgetForm->addRow(tr("Tokens per day (UTC):"), m_perDay);
    budgetForm->addRow(tr("Tokens per month (UTC):"), m_perMonth);
    layout->addWidget(budgets);

    auto *prices = new QGroupBox(tr("Prices (USD per million tokens)"), this);
    auto *priceForm = new QFormLayout(prices);
    m_priceIn = priceSpin(QStringLiteral("priceInputSpin"));
    m_priceOut = priceSpin(QStringLiteral("priceOutputSpin"));
    m_priceCached = priceSpin(QStringLiteral("priceCachedSpin"));
    priceForm->addRow(tr("Input:"), m_priceIn);
    priceForm->addRow(tr("Output:"), m_priceOut);
    priceForm->addRow(tr("Cached input:"), m_priceCached);
    layout->addWidget(prices);

    auto *params = new QGroupBox(tr("Request parameters"), this);
    auto *paramsForm = new QFormLayout(params);
    m_setParams = new QPlainTextEdit(this);
    m_setParams->setObjectName(QStringLiteral("setParamsEdit"));
    m_setParams->setPlaceholderText(tr("one per line: path=JSON, e.g. temperature=1"));
    m_setParams->setTabChangesFocus(true);
    m_setParams->setMaximumHeight(m_setParams->fontMetrics().lineSpacing() * 4);
    connect(m_setParams, &QPlainTextEdit::textChanged, this, &ChannelAdvancedForm::changed);
    paramsForm->addRow(tr("Always send:"), m_setParams);
    m_dropParams = new QLineEdit(this);
    m_dropParams->setObjectName(QStringLiteral("dropParamsEdit"));
    m_dropParams->setPlaceholderText(tr("top_p, tool_choice"));
    paramsForm->addRow(tr("Never send:"), m_dropParams);
    m_stripBetas = new QLineEdit(this);
    m_stripBetas->setObjectName(QStringLiteral("stripBetasEdit"));
    m_stripBetas->setPlaceholderText(tr("anthropic-beta values not passed on"));
    paramsForm->addRow(tr("Strip betas:"), m_stripBetas);
    layout->addWidget(params);
    layout->addStretch(1);

    // One label column through every group, so the fields line up down the tab.
    QList<QWidget *> labels;
    int labelWidth = 0;
    for (QFormLayout *form : findChildren<QFormLayout *>()) {
        for (int row = 0; row < form->rowCount(); ++row) {
            if (QLayoutItem *item = form->itemAt(row, QFormLayout::LabelRole); item && item->widget()) {
                labels << item->widget();
                labelWidth = std::max(labelWidth, item->widget()->sizeHint().width());
            }
        }
    }
    for (QWidget *label : labels)
        label->setMinimumWidth(labelWidth);

    for (QLineEdit *edit : {m_proxy, m_testModel, m_failover, m_dropParams, m_stripBetas})
        connect(edit, &QLineEdit::textChanged, this, &ChannelAdvancedForm::changed);
}

ChannelAdvancedForm::~ChannelAdvancedForm() = default;

QComboBox *ChannelAdvancedForm::capabilityCombo(const QString &name)
{
    auto *combo = new QComboBox(this);
    combo->setObjectName(name);
    combo->addItem(tr("auto"), int(CapabilityMode::Auto));
    combo->setToolTip(tr("auto: what the upstream taught Tarn, else the built-in table of known models, else assumed supported"));
    combo->addItem(tr("on"), int(CapabilityMode::On));
    combo->addItem(tr("off"), int(CapabilityMode::Off));
    connect(combo, &QComboBox::currentIndexChanged, this, &ChannelAdvancedForm::changed);
    return combo;
}

QSpinBox *ChannelAdvancedForm::countSpin(const QString &name, int max)
{
    auto *spin = new QSpinBox(this);
    spin->setObjectName(name);
    spin->setRange(0, max);
    spin->setSpecialValueText(tr("none"));
    spin->setGroupSeparatorShown(true);
    connect(spin, &QSpinBox::valueChanged, this, &ChannelAdvancedForm::changed);
    return spin;
}

QDoubleSpinBox *ChannelAdvancedForm::priceSpin(const QString &name)
{
    auto *spin = new QDoubleSpinBox(this);
    spin->setObjectName(name);
    spin->setRange(0, 100000);
    spin->setDecimals(4);
    connect(spin, &QDoubleSpinBox::valueChanged, this, &ChannelAdvancedForm::changed);
    return spin;
}

void ChannelAdvancedForm::load(const Channel &c)
{
    m_proxy->setText(c.proxy);
    m_testModel->setText(c.testModel);
    m_headers->setHeaders(c.extraHeaders);
    QStringList failover;
    for (const int status : c.failoverStatuses)
        failover << QString::number(status);
    m_failover->setText(failover.join(QStringLiteral(", ")));
    m_tools->setCurrentIndex(m_tools->findData(int(c.capabilities.tools)));
    m_vision->setCurrentIndex(m_vision->findData(int(c.capabilities.vision)));
    m_jsonMode->setCurrentIndex(m_jsonMode->findData(int(c.capabilities.jsonMode)));
    m_contextTokens->setValue(c.capabilities.contextTokens);
    m_maxOutput->setValue(c.capabilities.maxOutputTokens);
    // Budgets beyond a spin box's range are clamped in view only; apply() keeps them unless edited.
    m_rpm->setValue(int(std::min<qint64>(c.budget.requestsPerMinute, m_rpm->maximum())));
    m_tpm->setValue(int(std::min<qint64>(c.budget.tokensPerMinute, m_tpm->maximum())));
    m_perDay->setValue(int(std::min<qint64>(c.budget.tokensPerDay, m_perDay->maximum())));
    m_perMonth->setValue(int(std::min<qint64>(c.budget.tokensPerMonth, m_perMonth->maximum())));
    m_priceIn->setValue(c.price.inputPerMillion);
    m_priceOut->setValue(c.price.outputPerMillion);
    m_priceCached->setValue(c.price.cachedPerMillion);
    QStringList set;
    for (auto it = c.params.set.cbegin(); it != c.params.set.cend(); ++it)
        set << it.key() + QLatin1Char('=') + QString::fromUtf8(it.value());
    m_setParams->setPlainText(set.join(QLatin1Char('\n')));
    m_dropParams->setText(c.params.drop.join(QStringLiteral(", ")));
    m_stripBetas->setText(c.stripBetas.join(QStringLiteral(", ")));
    QStringList learned;
    for (const LearnedCapability &l : c.learned) {
        learned << tr("%1: %2 %3 (%4)")
                       .arg(l.model, capabilityName(l.capability), l.supported ? tr("supported") : tr("not supported"),
                            l.reason);
    }
    m_learned->setText(learned.isEmpty() ? tr("nothing yet") : learned.join(QLatin1Char('\n')));
}

void ChannelAdvancedForm::apply(Channel &c) const
{
    c.proxy = m_proxy->text().trimmed();
    c.testModel = m_testModel->text().trimmed();
    // Like the parameter overrides: while a field is wrong, the stored value stays.
    if (m_headers->error().isEmpty())
        c.extraHeaders = m_headers->headers();
    if (const Result<QList<int>> statuses = cli::parseStatuses(QStringLiteral("failover"), m_failover->text()))
        c.failoverStatuses = *statuses;
    c.capabilities.tools = CapabilityMode(m_tools->currentData().toInt());
    c.capabilities.vision = CapabilityMode(m_vision->currentData().toInt());
    c.capabilities.jsonMode = CapabilityMode(m_jsonMode->currentData().toInt());
    c.capabilities.contextTokens = m_contextTokens->value();
    c.capabilities.maxOutputTokens = m_maxOutput->value();
    auto keep = [](qint64 stored, const QSpinBox *spin) {
        return stored > spin->maximum() && spin->value() == spin->maximum() ? stored : qint64(spin->value());
    };
    c.budget.requestsPerMinute = keep(c.budget.requestsPerMinute, m_rpm);
    c.budget.tokensPerMinute = keep(c.budget.tokensPerMinute, m_tpm);
    c.budget.tokensPerDay = keep(c.budget.tokensPerDay, m_perDay);
    c.budget.tokensPerMonth = keep(c.budget.tokensPerMonth, m_perMonth);
    // A stored price finer than the spin box shows stays as stored unless it was edited.
    auto keepPrice = [](double stored, const QDoubleSpinBox *spin) {
        return qFuzzyCompare(1 + spin->value(), 1 + std::round(stored * 1e4) / 1e4) ? stored : spin->value();
    };
    c.price.inputPerMillion = keepPrice(c.price.inputPerMillion, m_priceIn);
    c.price.outputPerMillion = keepPrice(c.price.outputPerMillion, m_priceOut);
    c.price.cachedPerMillion = keepPrice(c.price.cachedPerMillion, m_priceCached);
    Channel withParams = c;
    if (applyParams(withParams)) {
        c.params = withParams.params;
        c.stripBetas = withParams.stripBetas;
    }
}

Status ChannelAdvancedForm::applyParams(Channel &c) const
{
    QStringList args;
    for (const QString &line : m_setParams->toPlainText().split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            args << QStringLiteral("--set-param") << line.trimmed();
    }
    for (const QString &path : cli::splitList(m_dropParams->text()))
        args << QStringLiteral("--drop-param") << path;
    if (!m_stripBetas->text().trimmed().isEmpty())
        args << QStringLiteral("--strip-beta") << m_stripBetas->text();
    Result<cli::ParsedFlags> flags = cli::parseFlags(args, cli::paramFlags(false));
    if (!flags)
        return flags.error();
    c.params = {};
    c.stripBetas.clear();
    if (Status s = cli::applyParamFlags(*flags, c); !s)
        return s;
    return cli::validateChannelParams(c);
}

QString ChannelAdvancedForm::failoverError() const
{
    for (const QString &item : cli::splitList(m_failover->text())) {
        bool ok = false;
        const int status = item.toInt(&ok);
        if (!ok || status < 400 || status > 599)
            return tr("Fail over on takes HTTP statuses from 400 to 599 separated by commas; '%1' is not one.").arg(item);
    }
    return {};
}

QString ChannelAdvancedForm::error() const
{
    if (const QString headers = m_headers->error(); !headers.isEmpty())
        return headers;
    if (const QString failover = failoverError(); !failover.isEmpty())
        return failover;
    Channel scratch;
    const Status s = applyParams(scratch);
    return s ? QString() : s.error().message;
}

} // namespace tarn::ui
