// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelDialog.h"

#include "ui/channels/ChannelAdvancedForm.h"
#include "ui/channels/ChannelPresets.h"
#include "ui/channels/ChannelTester.h"
#include "ui/channels/KeyListEditor.h"
#include "ui/channels/ModelFetcher.h"

#include "gateway/cli/CliSupport.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ChannelRepository.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

// The command line's messages start lower-case ("invalid base URL ..."); a dialog line reads
// better as a sentence.
QString sentence(const QString &message)
{
    return message.isEmpty() ? message : message.at(0).toUpper() + message.mid(1);
}

QString aliasesText(const QMap<QString, QString> &map)
{
    QStringList pairs;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        pairs << it.key() + QLatin1Char('=') + it.value();
    return pairs.join(QStringLiteral(", "));
}

} // namespace

ChannelDialog::ChannelDialog(DesktopService &service, const Channel &channel, const QStringList &takenNames,
                             QWidget *parent)
    : QDialog(parent)
    , m_service(service)
    , m_original(channel)
    , m_takenNames(takenNames)
{
    setObjectName(QStringLiteral("channelDialog"));
    setWindowTitle(channel.id ? tr("Edit channel %1").arg(channel.name) : tr("Add channel"));
    buildForm();
    // Wide enough for a long base URL, a key with its buttons, and a header name beside its
    // value on one line.
    setMinimumWidth(620);
    load(channel);
    revalidate();
}

ChannelDialog::~ChannelDialog() = default;

void ChannelDialog::buildForm()
{
    auto *layout = new QVBoxLayout(this);
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("channelTabs"));
    layout->addWidget(tabs);
    auto *general = new QWidget(tabs);
    auto *form = new QFormLayout(general);
    tabs->addTab(general, tr("&General"));
    // The second tab is long; it scrolls so the dialog fits a laptop screen.
    auto *scroll = new QScrollArea(tabs);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_advanced = new ChannelAdvancedForm(scroll);
    m_advanced->setObjectName(QStringLiteral("advancedForm"));
    scroll->setWidget(m_advanced);
    tabs->addTab(scroll, tr("&Connection and limits"));

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("presetCombo"));
    for (const ChannelPreset &preset : channelPresets())
        m_preset->addItem(preset.label);
    form->addRow(tr("&Provider:"), m_preset);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("e.g. deepseek-main"));
    form->addRow(tr("&Name:"), m_name);

    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("typeCombo"));
    for (const ChannelType type : {ChannelType::OpenAI, ChannelType::Anthropic, ChannelType::Gemini})
        m_type->addItem(channelTypeName(type), int(type));
    form->addRow(tr("&Type:"), m_type);

    // Only OpenAI-type channels choose between OpenAI's two APIs; the row hides for the others.
    m_api = new QComboBox(this);
    m_api->setObjectName(QStringLiteral("apiCombo"));
    m_api->addItem(tr("Chat Completions"), int(OpenAiApi::Chat));
    m_api->addItem(tr("Responses API"), int(OpenAiApi::Responses));
    m_api->setToolTip(tr("Chat Completions is what OpenAI-compatible providers offer; "
                         "OpenAI serves its Codex models only on the Responses API"));
    form->addRow(tr("AP&I:"), m_api);
    m_form = form;

    m_baseUrl = new QLineEdit(this);
    m_baseUrl->setObjectName(QStringLiteral("baseUrlEdit"));
    m_baseUrl->setPlaceholderText(QStringLiteral("https://api.example.com/v1"));
    form->addRow(tr("Base &URL:"), m_baseUrl);

    m_keys = new KeyListEditor(this);
    m_keys->setObjectName(QStringLiteral("keysEditor"));
    form->addRow(tr("API &keys:"), m_keys);

    m_models = new QLineEdit(this);
    m_models->setObjectName(QStringLiteral("modelsEdit"));
    m_models->setPlaceholderText(tr("model-a, model-b"));
    m_fetch = new QPushButton(tr("&Fetch models"), this);
    m_fetch->setObjectName(QStringLiteral("fetchModelsButton"));
    m_fetch->setToolTip(tr("Ask the provider which models it serves (uses the first key)"));
    auto *modelsRow = new QHBoxLayout;
    modelsRow->addWidget(m_models, 1);
    modelsRow->addWidget(m_fetch);
    // A row holding a layout gets no buddy from QFormLayout, so the mnemonic needs a label of its own.
    auto *modelsLabel = new QLabel(tr("&Models:"), this);
    modelsLabel->setBuddy(m_models);
    form->addRow(modelsLabel, modelsRow);
    m_fetchResult = new QLabel(this);
    m_fetchResult->setObjectName(QStringLiteral("fetchResultLabel"));
    m_fetchResult->setWordWrap(true);
    m_fetchResult->hide();
    form->addRow(QString(), m_fetchResult);
    // What the provider listed, ticked where the channel serves it: ticking adds a model.
    m_fetched = new QListWidget(this);
    m_fetched->setObjectName(QStringLiteral("fetchedModelsList"));
    m_fetched->setMaximumHeight(140);
    m_fetched->hide();
    form->addRow(QString(), m_fetched);
    m_fetcher = new ModelFetcher(this);

    m_aliases = new QLineEdit(this);
    m_aliases->setObjectName(QStringLiteral("aliasesEdit"));
    m_aliases->setPlaceholderText(tr("alias=upstream-model, ..."));
    m_aliases->setToolTip(tr("Names clients may ask for, each mapped to a model of this provider"));
    form->addRow(tr("&Aliases:"), m_aliases);

    m_priority = new QSpinBox(this);
    m_priority->setObjectName(QStringLiteral("prioritySpin"));
    m_priority->setRange(-1000, 1000);
    m_priority->setToolTip(tr("Higher priorities are tried first"));
    form->addRow(tr("&Priority:"), m_priority);

    m_weight = new QDoubleSpinBox(this);
    m_weight->setObjectName(QStringLiteral("weightSpin"));
    m_weight->setRange(0, 1000);
    m_weight->setDecimals(2);
    m_weight->setToolTip(tr("Share of traffic within its priority; 0 = only when nothing else is left"));
    form->addRow(tr("&Weight:"), m_weight);

    m_enabled = new QCheckBox(tr("&Enabled"), this);
    m_enabled->setObjectName(QStringLiteral("enabledCheck"));
    form->addRow(QString(), m_enabled);

    m_validation = new QLabel(this);
    m_validation->setObjectName(QStringLiteral("validationLabel"));
    m_validation->setWordWrap(true);
    m_validation->setStyleSheet(QStringLiteral("color: #c62828;"));
    layout->addWidget(m_validation);

    auto *testRow = new QHBoxLayout;
    m_test = new QPushButton(tr("&Test"), this);
    m_test->setObjectName(QStringLiteral("testButton"));
    m_test->setToolTip(tr("Sends a real request through every key of the saved channel"));
    m_testResult = new QLabel(this);
    m_testResult->setObjectName(QStringLiteral("testResultLabel"));
    m_testResult->setWordWrap(true);
    testRow->addWidget(m_test);
    testRow->addWidget(m_testResult, 1);
    layout->addLayout(testRow);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->setObjectName(QStringLiteral("buttonBox"));
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ChannelDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ChannelDialog::reject);
    connect(m_test, &QPushButton::clicked, this, &ChannelDialog::runTest);
    connect(m_fetch, &QPushButton::clicked, this, &ChannelDialog::fetchModels);
    connect(m_fetcher, &ModelFetcher::finished, this, &ChannelDialog::showFetchedModels);
    connect(m_fetched, &QListWidget::itemChanged, this, &ChannelDialog::fetchedModelToggled);
    connect(m_preset, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!m_loading)
            applyPreset(index);
    });
    for (QLineEdit *edit : {m_name, m_baseUrl, m_models, m_aliases})
        connect(edit, &QLineEdit::textChanged, this, &ChannelDialog::revalidate);
    connect(m_type, &QComboBox::currentIndexChanged, this, &ChannelDialog::revalidate);
    connect(m_type, &QComboBox::currentIndexChanged, this, &ChannelDialog::updateApiRow);
    connect(m_api, &QComboBox::currentIndexChanged, this, &ChannelDialog::revalidate);
    connect(m_keys, &KeyListEditor::changed, this, &ChannelDialog::revalidate);
    connect(m_advanced, &ChannelAdvancedForm::changed, this, &ChannelDialog::revalidate);
}

void ChannelDialog::load(const Channel &c)
{
    m_loading = true;
    m_name->setText(c.name);
    m_type->setCurrentIndex(m_type->findData(int(c.type)));
    m_api->setCurrentIndex(m_api->findData(int(c.openAiApi)));
    updateApiRow();
    m_baseUrl->setText(c.baseUrl);
    m_keys->setKeys(c.keys);
    m_models->setText(c.models.join(QStringLiteral(", ")));
    m_aliases->setText(aliasesText(c.modelMap));
    m_priority->setValue(c.priority);
    m_weight->setValue(c.weight);
    m_enabled->setChecked(c.enabled);
    m_advanced->load(c);
    // Show the provider a stored channel came from; unknown endpoints are Custom.
    const QList<ChannelPreset> &presets = channelPresets();
    int preset = int(presets.size()) - 1;
    for (int i = 0; i < presets.size(); ++i) {
        if (!c.baseUrl.isEmpty() && presets.at(i).baseUrl == c.baseUrl && presets.at(i).api == c.openAiApi)
            preset = i;
    }
    m_preset->setCurrentIndex(preset);
    m_loading = false;
    // Only a saved channel can be tested: the test goes through the running router's own copy.
    m_test->setEnabled(c.id != 0);
    if (!c.id)
        m_testResult->setText(tr("Save the channel to test it."));
}

void ChannelDialog::applyPreset(int index)
{
    const QList<ChannelPreset> &presets = channelPresets();
    if (index < 0 || index >= presets.size())
        return;
    const ChannelPreset &preset = presets.at(index);
    if (preset.baseUrl.isEmpty())
        return; // Custom: the user fills in everything.
    m_type->setCurrentIndex(m_type->findData(int(preset.type)));
    m_api->setCurrentIndex(m_api->findData(int(preset.api)));
    m_baseUrl->setText(preset.baseUrl);
    m_models->setPlaceholderText(preset.models.isEmpty() ? tr("ask the provider for its model names")
                                                         : preset.models.join(QStringLiteral(", ")));
    // Replace what an earlier preset suggested, never what the user typed.
    const QString models = preset.models.join(QStringLiteral(", "));
    if (m_models->text().trimmed().isEmpty() || m_models->text() == m_presetModels) {
        m_models->setText(models);
        m_presetModels = models;
    }
    if (!m_original.id && (m_name->text().trimmed().isEmpty() || m_name->text() == m_presetName)) {
        QString name = preset.namePrefix;
        for (int n = 2; m_takenNames.contains(name); ++n)
            name = preset.namePrefix + QLatin1Char('-') + QString::number(n);
        m_name->setText(name);
        m_presetName = name;
    }
}

Channel ChannelDialog::channel() const
{
    Channel c = m_original;
    c.name = m_name->text().trimmed();
    c.type = ChannelType(m_type->currentData().toInt());
    c.openAiApi = c.type == ChannelType::OpenAI ? OpenAiApi(m_api->currentData().toInt()) : OpenAiApi::Chat;
    c.baseUrl = m_baseUrl->text().trimmed();
    c.keys = m_keys->keys();
    c.models = cli::splitList(m_models->text());
    if (const auto aliases = cli::parsePairs(tr("alias"), cli::splitList(m_aliases->text())))
        c.modelMap = *aliases;
    c.priority = m_priority->value();
    c.weight = m_weight->value();
    c.enabled = m_enabled->isChecked();
    m_advanced->apply(c);
    return c;
}

QString ChannelDialog::validationError() const
{
    const Channel c = channel();
    if (c.name.isEmpty())
        return tr("Give the channel a name.");
    if (const Status s = cli::validateName(QStringLiteral("channel"), c.name); !s)
        return sentence(s.error().message);
    if (c.name != m_original.name && m_takenNames.contains(c.name))
        return tr("A channel named '%1' already exists.").arg(c.name);
    if (c.baseUrl.isEmpty())
        return tr("Give the provider's base URL.");
    if (const Status s = cli::validateHttpUrl(QStringLiteral("base URL"), c.baseUrl); !s)
        return sentence(s.error().message);
    if (const auto aliases = cli::parsePairs(QStringLiteral("alias"), cli::splitList(m_aliases->text())); !aliases)
        return sentence(aliases.error().message);
    if (c.models.isEmpty() && c.modelMap.isEmpty())
        return tr("Give at least one model.");
    if (const QString params = m_advanced->error(); !params.isEmpty())
        return sentence(params);
    if (const Status s = cli::validateChannel(c); !s)
        return sentence(s.error().message);
    return {};
}

void ChannelDialog::revalidate()
{
    const QString error = validationError();
    m_validation->setText(error);
    m_validation->setVisible(!error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty() && !m_busy);
    m_fetch->setEnabled(!m_fetcher->isRunning()
                        && cli::validateHttpUrl(QStringLiteral("base URL"), m_baseUrl->text().trimmed()).ok());
}

void ChannelDialog::updateApiRow()
{
    m_form->setRowVisible(m_api, ChannelType(m_type->currentData().toInt()) == ChannelType::OpenAI);
}

void ChannelDialog::setBusy(bool busy)
{
    m_busy = busy;
    revalidate();
}

void ChannelDialog::accept()
{
    if (m_busy || !validationError().isEmpty())
        return;
    const Channel c = channel();
    setBusy(true);
    m_service.run<Status>(
        this,
        [c](Database &db) -> Status {
            ChannelRepository channels(db);
            if (c.id)
                return channels.update(c);
            const Result<qint64> id = channels.add(c);
            return id ? Status() : Status(id.error());
        },
        [this, name = c.name](const Status &status) {
            setBusy(false);
            if (!status) {
                m_validation->setText(sentence(status.error().message));
                m_validation->setVisible(true);
                return;
            }
            m_service.applyConfiguration();
            Q_EMIT saved(name);
            QDialog::accept();
        });
}

void ChannelDialog::runTest()
{
    m_test->setEnabled(false);
    m_testResult->setText(tr("Testing..."));
    // The router tests what it runs: edits not saved yet are not part of the test, and the
    // result says so rather than passing them off as tested.
    const bool edited = channel() != m_original;
    testSavedChannel(m_service, this, m_original.id, [this, edited](const ChannelTestOutcome &outcome) {
        m_test->setEnabled(true);
        const QString text = testOutcomeText(outcome);
        m_testResult->setText(edited ? tr("%1 (the saved settings; save to test your edits)").arg(text) : text);
    });
}

void ChannelDialog::fetchModels()
{
    m_fetcher->fetch(channel());
    m_fetch->setEnabled(false);
    m_fetchResult->setText(tr("Asking the provider..."));
    m_fetchResult->show();
}

void ChannelDialog::showFetchedModels(const QStringList &models, const QString &error)
{
    revalidate();
    if (!error.isEmpty()) {
        m_fetchResult->setText(tr("Could not fetch the models: %1").arg(error));
        return;
    }
    m_fetchResult->setText(tr("%n model(s) offered; tick the ones this channel serves.", nullptr, int(models.size())));
    const QStringList current = cli::splitList(m_models->text());
    const QSignalBlocker blocker(m_fetched);
    m_fetched->clear();
    for (const QString &model : models) {
        auto *item = new QListWidgetItem(model, m_fetched);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(current.contains(model) ? Qt::Checked : Qt::Unchecked);
    }
    m_fetched->show();
}

void ChannelDialog::fetchedModelToggled(QListWidgetItem *item)
{
    QStringList models = cli::splitList(m_models->text());
    if (item->checkState() == Qt::Checked && !models.contains(item->text()))
        models.append(item->text());
    else if (item->checkState() == Qt::Unchecked)
        models.removeAll(item->text());
    m_models->setText(models.join(QStringLiteral(", ")));
}

} // namespace tarn::ui
