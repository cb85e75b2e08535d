// SPDX-License-Identifier: GPL-3.0-or-later
// The routing side of the command line: channel budgets, prices, capability modes and failover
// flags; state and effective capabilities in listings; reset-learned and enable-key; pools;
// export/import of the new fields (`channel test` is in ChannelTestCommandTest.cpp).
#include "CliTestSupport.h"

#include "gateway/storage/PoolRepository.h"
#include "gateway/storage/RouterStateRepository.h"

#include <QFile>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// A model no built-in table knows, so its capabilities are assumed unless declared or learned.
const QString kMystery = QStringLiteral("zz-mystery-model");

class RoutingCommandsTest : public tarn::gateway::test::CliTest
{
protected:
    Channel channel(const QString &name)
    {
        auto db = openDb();
        return *ChannelRepository(*db).findByName(name);
    }

    QJsonObject listedChannel(const QString &name)
    {
        const auto o = run({s("channel"), s("list"), s("--json")});
        EXPECT_EQ(o.code, 0) << o;
        for (const QJsonValue &v : json(o.out).array()) {
            if (v.toObject().value(s("name")).toString() == name)
                return v.toObject();
        }
        ADD_FAILURE() << "no channel " << name.toStdString() << " in " << o;
        return {};
    }

    void saveStatus(const QList<ChannelStatus> &channels, const QDateTime &takenAt = QDateTime::currentDateTimeUtc())
    {
        auto db = openDb();
        RouterStatus status;
        status.takenAt = takenAt;
        status.channels = channels;
        ASSERT_TRUE(RouterStateRepository(*db).save(status).ok());
    }

    static ChannelStatus status(qint64 id, HealthState state, const QDateTime &cooldownUntil = {}, const QString &reason = {})
    {
        ChannelStatus c;
        c.channelId = id;
        c.state = state;
        c.cooldownUntil = cooldownUntil;
        c.reason = reason;
        c.effectiveWeight = 1;
        return c;
    }

    tarn::gateway::test::CommandOutput addChannel(const QString &name, const QStringList &extra = {})
    {
        QStringList args = {s("channel"), s("add"), s("--name"), name, s("--type"), s("openai"), s("--base-url"),
                            s("https://api.example.com/v1"), s("--key"), s("sk-first-key-111111"), s("--models"), kMystery};
        return run(args + extra);
    }
};

TEST_F(RoutingCommandsTest, AddAndSetTakeEveryRoutingFlag)
{
    const auto added = addChannel(s("main"), {s("--tools"), s("off"), s("--vision"), s("on"), s("--json-mode"), s("auto"),
                                             s("--context-tokens"), s("32000"), s("--max-output-tokens"), s("4096"),
                                             s("--rpm"), s("60"), s("--tpm"), s("90000"), s("--tokens-per-day"), s("1000000"),
                                             s("--tokens-per-month"), s("20000000000"), s("--price-in"), s("2.5"),
                                             s("--price-out"), s("10"), s("--price-cached"), s("1.25"),
                                             s("--failover-on"), s("400, 404,400"), s("--test-model"), s("zz-small")});
    ASSERT_EQ(added.code, 0) << added;
    Channel c = channel(s("main"));
    EXPECT_EQ(c.capabilities, (ChannelCapabilities{CapabilityMode::Off, CapabilityMode::On, CapabilityMode::Auto, 32000, 4096}));
    EXPECT_EQ(c.budget, (ChannelBudget{60, 90000, 1000000, 20000000000LL}));
    EXPECT_EQ(c.price, (ChannelPrice{2.5, 10, 1.25}));
    EXPECT_EQ(c.failoverStatuses, (QList<int>{400, 404}));
    EXPECT_EQ(c.testModel, s("zz-small"));

    const auto set = run({s("channel"), s("set"), s("main"), s("--json-mode"), s("off"), s("--tools"), s("auto"),
                          s("--rpm"), s("0"), s("--price-out"), s("0"), s("--failover-on"), s(""), s("--test-model"), s("")});
    ASSERT_EQ(set.code, 0) << set;
    c = channel(s("main"));
    EXPECT_EQ(c.capabilities, (ChannelCapabilities{CapabilityMode::Auto, CapabilityMode::On, CapabilityMode::Off, 32000, 4096}));
    EXPECT_EQ(c.budget, (ChannelBudget{0, 90000, 1000000, 20000000000LL}));
    EXPECT_EQ(c.price, (ChannelPrice{2.5, 0, 1.25}));
    EXPECT_TRUE(c.failoverStatuses.isEmpty());
    EXPECT_TRUE(c.testModel.isEmpty());

    const auto show = run({s("channel"), s("show"), s("main")});
    ASSERT_EQ(show.code, 0) << show;
    EXPECT_TRUE(show.out.contains(u"json mode:      off")) << show;
    EXPECT_TRUE(show.out.contains(u"90000 tokens/min")) << show;
    EXPECT_TRUE(show.out.contains(u"$2.5 in, $0 out, $1.25 cached")) << show;
    EXPECT_TRUE(show.out.contains(u"state:          healthy")) << show;
}

TEST_F(RoutingCommandsTest, BadRoutingValuesAreUsageErrorsAndWriteNothing)
{
    ASSERT_EQ(addChannel(s("main")).code, 0);
    const QString before = snapshot();
    const Channel original = channel(s("main"));
    const QList<std::pair<QStringList, QString>> cases = {
        {{s("--key"), s("sk-same-0000000001"), s("--key"), s("sk-same-0000000001")}, s("the same API key is given twice")},
        {{s("--json-mode"), s("sometimes")}, s("--json-mode must be on, off or auto")},
        {{s("--vision"), s("")}, s("--vision must be on, off or auto")},
        {{s("--max-output-tokens"), s("-1")}, s("--max-output-tokens must be >= 0")},
        {{s("--max-output-tokens"), s("lots")}, s("--max-output-tokens must be a whole number")},
        {{s("--rpm"), s("-1")}, s("--rpm must be a whole number >= 0")},
        {{s("--tpm"), s("1.5")}, s("--tpm must be a whole number >= 0")},
        {{s("--tokens-per-day"), s("many")}, s("--tokens-per-day must be a whole number >= 0")},
        {{s("--tokens-per-month"), s("-20")}, s("--tokens-per-month")},
        {{s("--price-in"), s("-0.5")}, s("--price-in must be a number >= 0")},
        {{s("--price-out"), s("nan")}, s("--price-out must be a number >= 0")},
        {{s("--price-cached"), s("inf")}, s("--price-cached must be a number >= 0")},
        {{s("--price-in"), s("cheap")}, s("--price-in")},
        {{s("--failover-on"), s("200")}, s("--failover-on takes HTTP statuses 400-599")},
        {{s("--failover-on"), s("400,600")}, s("got '600'")},
        {{s("--failover-on"), s("4o4")}, s("--failover-on")},
    };
    for (const auto &[flags, needle] : cases) {
        SCOPED_TRACE(flags.join(u' ').toStdString());
        expectUsageError(run(QStringList{s("channel"), s("set"), s("main")} + flags), needle);
        QStringList add = {s("channel"), s("add"), s("--name"), s("new"), s("--type"), s("openai"), s("--base-url"),
                           s("https://x.example/v1"), s("--key"), s("sk-12345678"), s("--models"), s("m")};
        expectUsageError(run(add + flags), needle);
    }
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(channel(s("main")), original);
}

TEST_F(RoutingCommandsTest, ListJsonShowsStateKeysAndEffectiveCapabilities)
{
    ASSERT_EQ(addChannel(s("main"), {s("--key"), s("sk-second-key-222222"), s("--map"), s("alias=zz-other-model"),
                                     s("--tools"), s("off"), s("--context-tokens"), s("32000"), s("--rpm"), s("5"),
                                     s("--price-in"), s("3"), s("--failover-on"), s("404"), s("--test-model"), kMystery})
                  .code,
              0);
    const Channel main = channel(s("main"));
    const QString key1 = keyId(s("sk-first-key-111111"));
    const QString key2 = keyId(s("sk-second-key-222222"));
    const QDateTime until = QDateTime::currentDateTimeUtc().addSecs(600);
    {
        auto db = openDb();
        ChannelRepository repo(*db);
        ASSERT_TRUE(repo.setKeyDisabled(main.id, key2, s("401 invalid api key")).ok());
        ASSERT_TRUE(repo.recordLearned(main.id, {kMystery, Capability::Vision, false, s("image input not supported"),
                                                 QDateTime::currentDateTimeUtc()}).ok());
    }
    ChannelStatus row = status(main.id, HealthState::Cooling, until, s("429 rate limited"));
    row.effectiveWeight = 0.5;
    row.latencyMs = 120;
    row.errorRate = 0.25;
    KeyStatus k1;
    k1.keyId = key1;
    k1.state = HealthState::Cooling;
    k1.cooldownUntil = until;
    k1.reason = s("429");
    row.keys = {k1};
    const QDateTime takenAt = QDateTime::currentDateTimeUtc();
    saveStatus({row}, takenAt);

    const QJsonObject c = listedChannel(s("main"));
    EXPECT_EQ(c.value(s("state")).toString(), s("cooling"));
    EXPECT_EQ(QDateTime::fromString(c.value(s("cooldown_until")).toString(), Qt::ISODateWithMs).toSecsSinceEpoch(),
              until.toSecsSinceEpoch());
    EXPECT_TRUE(c.value(s("disabled_reason")).isNull());
    EXPECT_EQ(c.value(s("state_reason")).toString(), s("429 rate limited"));
    EXPECT_EQ(c.value(s("effective_weight")).toDouble(), 0.5);
    EXPECT_EQ(c.value(s("latency_ms")).toDouble(), 120.0);
    EXPECT_EQ(c.value(s("error_rate")).toDouble(), 0.25);
    EXPECT_FALSE(c.value(s("state_updated_at")).isNull());

    const QJsonArray keys = c.value(s("keys_state")).toArray();
    ASSERT_EQ(keys.size(), 2);
    EXPECT_EQ(keys.at(0).toObject().value(s("key")).toString(), s("sk-f…"));
    EXPECT_EQ(keys.at(0).toObject().value(s("key_id")).toString(), key1);
    EXPECT_EQ(keys.at(0).toObject().value(s("state")).toString(), s("cooling"));
    EXPECT_FALSE(keys.at(0).toObject().value(s("cooldown_until")).isNull());
    EXPECT_EQ(keys.at(1).toObject().value(s("key_id")).toString(), key2);
    EXPECT_EQ(keys.at(1).toObject().value(s("state")).toString(), s("disabled"));
    EXPECT_EQ(keys.at(1).toObject().value(s("disabled_reason")).toString(), s("401 invalid api key"));

    EXPECT_EQ(c.value(s("declared_capabilities")).toObject().value(s("tools")).toString(), s("off"));
    EXPECT_EQ(c.value(s("budget")).toObject().value(s("rpm")).toInteger(), 5);
    EXPECT_EQ(c.value(s("price")).toObject().value(s("input")).toDouble(), 3.0);
    EXPECT_EQ(c.value(s("failover_on")).toArray(), (QJsonArray{404}));
    EXPECT_EQ(c.value(s("test_model")).toString(), kMystery);

    // One entry per upstream model (the alias's target included), each capability with its source.
    const QJsonArray caps = c.value(s("capabilities")).toArray();
    ASSERT_EQ(caps.size(), 2);
    const QJsonObject mystery = caps.at(0).toObject();
    EXPECT_EQ(mystery.value(s("model")).toString(), kMystery);
    EXPECT_EQ(caps.at(1).toObject().value(s("model")).toString(), s("zz-other-model"));
    const auto check = [&](const char *name, bool supported, const char *source) {
        const QJsonObject cap = mystery.value(QString::fromLatin1(name)).toObject();
        EXPECT_EQ(cap.value(s("supported")).toBool(), supported) << name;
        EXPECT_EQ(cap.value(s("source")).toString(), QString::fromLatin1(source)) << name;
    };
    check("tools", false, "declared");
    check("vision", false, "learned");
    // Nobody knows: the built-in default, flagged as an assumption.
    EXPECT_EQ(mystery.value(s("json_mode")).toObject().value(s("source")).toString(), s("builtin"));
    EXPECT_TRUE(mystery.value(s("json_mode")).toObject().value(s("assumed")).toBool());
    EXPECT_FALSE(mystery.value(s("tools")).toObject().value(s("assumed")).toBool());
    EXPECT_TRUE(mystery.contains(s("parallel_tools")));
    EXPECT_TRUE(mystery.contains(s("reasoning")));
    EXPECT_EQ(mystery.value(s("context_tokens")).toObject().value(s("value")).toInt(), 32000);
    EXPECT_EQ(mystery.value(s("context_tokens")).toObject().value(s("source")).toString(), s("declared"));
    EXPECT_TRUE(mystery.value(s("max_output_tokens")).toObject().value(s("value")).isNull());
    EXPECT_EQ(mystery.value(s("max_output_tokens")).toObject().value(s("source")).toString(), s("builtin"));
    EXPECT_TRUE(mystery.value(s("max_output_tokens")).toObject().value(s("assumed")).toBool());
    // The lesson was about one model only.
    EXPECT_TRUE(caps.at(1).toObject().value(s("vision")).toObject().value(s("assumed")).toBool());

    // show --json is the same object.
    const auto show = run({s("channel"), s("show"), s("main"), s("--json")});
    ASSERT_EQ(show.code, 0) << show;
    EXPECT_EQ(json(show.out).object(), c);
    const auto plain = run({s("channel"), s("show"), s("main")});
    EXPECT_TRUE(plain.out.contains(u"state:          cooling until")) << plain;
    EXPECT_TRUE(plain.out.contains(u"(429 rate limited)")) << plain;
    EXPECT_TRUE(plain.out.contains(key2 + s(" disabled (401 invalid api key)"))) << plain;
    EXPECT_TRUE(plain.out.contains(u"effective weight 0.5, latency 120 ms, errors 25.0 %")) << plain;
}

TEST_F(RoutingCommandsTest, StateFollowsConfigurationAndExpiredCooldowns)
{
    ASSERT_EQ(addChannel(s("fresh")).code, 0);
    ASSERT_EQ(addChannel(s("off"), {s("--disabled")}).code, 0);
    ASSERT_EQ(addChannel(s("keyless")).code, 0);
    ASSERT_EQ(addChannel(s("cooled")).code, 0);
    ASSERT_EQ(addChannel(s("broken")).code, 0);
    {
        auto db = openDb();
        ASSERT_TRUE(ChannelRepository(*db).setKeyDisabled(channel(s("keyless")).id, keyId(s("sk-first-key-111111")), s("403 forbidden")).ok());
    }
    const QDateTime past = QDateTime::currentDateTimeUtc().addSecs(-5);
    saveStatus({status(channel(s("off")).id, HealthState::Healthy),
                status(channel(s("cooled")).id, HealthState::Cooling, past, s("429")),
                status(channel(s("broken")).id, HealthState::Open, past, s("5 failures in a row"))});

    const QJsonObject fresh = listedChannel(s("fresh"));
    EXPECT_EQ(fresh.value(s("state")).toString(), s("healthy"));
    EXPECT_TRUE(fresh.value(s("cooldown_until")).isNull());
    EXPECT_TRUE(fresh.value(s("effective_weight")).isNull()) << "nothing published yet";
    EXPECT_TRUE(fresh.value(s("latency_ms")).isNull());
    EXPECT_TRUE(fresh.value(s("state_updated_at")).isNull());
    const QJsonObject off = listedChannel(s("off"));
    EXPECT_EQ(off.value(s("state")).toString(), s("disabled"));
    EXPECT_EQ(off.value(s("disabled_reason")).toString(), s("disabled in the configuration"));
    const QJsonObject keyless = listedChannel(s("keyless"));
    EXPECT_EQ(keyless.value(s("state")).toString(), s("disabled"));
    EXPECT_TRUE(keyless.value(s("disabled_reason")).toString().contains(u"403 forbidden"));
    EXPECT_EQ(listedChannel(s("cooled")).value(s("state")).toString(), s("healthy"));
    EXPECT_EQ(listedChannel(s("broken")).value(s("state")).toString(), s("open"));

    const auto list = run({s("channel"), s("list")});
    ASSERT_EQ(list.code, 0) << list;
    const QStringList lines = list.out.split(u'\n', Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 6) << list;
    const qsizetype stateCol = lines[0].indexOf(u"STATE");
    ASSERT_GT(stateCol, 0) << list;
    for (const QString &line : lines.mid(1)) {
        const QString name = line.section(u' ', 0, 0);
        const QString expected = name == u"off" || name == u"keyless" ? s("disabled") : name == u"broken" ? s("open") : s("healthy");
        EXPECT_EQ(line.mid(stateCol).section(u' ', 0, 0), expected) << line.toStdString();
    }
}

TEST_F(RoutingCommandsTest, ResetLearnedAndEnableKey)
{
    ASSERT_EQ(addChannel(s("main"), {s("--key"), s("sk-second-key-222222")}).code, 0);
    const Channel main = channel(s("main"));
    const QString key2 = keyId(s("sk-second-key-222222"));
    {
        auto db = openDb();
        ChannelRepository repo(*db);
        ASSERT_TRUE(repo.recordLearned(main.id, {kMystery, Capability::Tools, false, {}, {}}).ok());
        ASSERT_TRUE(repo.recordLearned(main.id, {kMystery, Capability::JsonMode, false, {}, {}}).ok());
        ASSERT_TRUE(repo.setKeyDisabled(main.id, key2, s("401")).ok());
    }
    auto o = run({s("channel"), s("reset-learned"), s("main")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"Cleared 2 learned capabilities of channel 'main'")) << o;
    EXPECT_TRUE(channel(s("main")).learned.isEmpty());
    o = run({s("channel"), s("reset-learned"), s("main")});
    EXPECT_TRUE(o.out.contains(u"Cleared 0 learned capabilities")) << o;
    expectRuntimeError(run({s("channel"), s("reset-learned"), s("ghost")}), s("no channel named 'ghost'"));
    expectUsageError(run({s("channel"), s("reset-learned")}), s("needs a channel name"));

    o = run({s("channel"), s("enable-key"), s("main"), key2});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(s("Re-enabled key ") + key2)) << o;
    EXPECT_TRUE(channel(s("main")).disabledKeys.isEmpty());
    o = run({s("channel"), s("enable-key"), s("main"), key2});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"is not disabled")) << o;
    expectRuntimeError(run({s("channel"), s("enable-key"), s("main"), s("k-0000000000")}), s("has no key 'k-0000000000'"));
    expectUsageError(run({s("channel"), s("enable-key"), s("main")}), s("needs a key id"));
}

TEST_F(RoutingCommandsTest, PoolListShowsTiersSharesAndStates)
{
    auto add = [&](const QString &name, const QString &priority, const QString &weight, const QStringList &extra = {}) {
        const auto o = run(QStringList{s("channel"), s("add"), s("--name"), name, s("--type"), s("openai"), s("--base-url"),
                                       s("https://x.example/v1"), s("--key"), s("sk-12345678-") + name, s("--models"), s("m"),
                                       s("--priority"), priority, s("--weight"), weight} + extra);
        ASSERT_EQ(o.code, 0) << o;
    };
    add(s("a"), s("10"), s("3"));
    add(s("b"), s("10"), s("1"));
    add(s("c"), s("10"), s("0"));
    add(s("d"), s("0"), s("1"), {s("--map"), s("fast=m")});
    add(s("e"), s("10"), s("5"), {s("--disabled")});

    auto pools = [&] {
        const auto o = run({s("pool"), s("list"), s("--json")});
        EXPECT_EQ(o.code, 0) << o;
        return json(o.out).array();
    };
    auto member = [](const QJsonObject &pool, int tier, int index) {
        return pool.value(s("tiers")).toArray().at(tier).toObject().value(s("channels")).toArray().at(index).toObject();
    };
    QJsonArray list = pools();
    ASSERT_EQ(list.size(), 2); // "fast" (alias on d) and "m"; e is disabled
    EXPECT_EQ(list.at(0).toObject().value(s("model")).toString(), s("fast"));
    const QJsonObject m = list.at(1).toObject();
    EXPECT_EQ(m.value(s("model")).toString(), s("m"));
    EXPECT_EQ(m.value(s("strategy")).toString(), s("weighted"));
    EXPECT_TRUE(m.value(s("sticky")).toBool());
    const QJsonArray tiers = m.value(s("tiers")).toArray();
    ASSERT_EQ(tiers.size(), 2);
    EXPECT_EQ(tiers.at(0).toObject().value(s("priority")).toInt(), 10);
    EXPECT_TRUE(tiers.at(0).toObject().value(s("active")).toBool());
    EXPECT_FALSE(tiers.at(1).toObject().value(s("active")).toBool());
    ASSERT_EQ(tiers.at(0).toObject().value(s("channels")).toArray().size(), 3);
    EXPECT_EQ(member(m, 0, 0).value(s("name")).toString(), s("a"));
    EXPECT_DOUBLE_EQ(member(m, 0, 0).value(s("share")).toDouble(), 0.75);
    EXPECT_DOUBLE_EQ(member(m, 0, 1).value(s("share")).toDouble(), 0.25);
    EXPECT_TRUE(member(m, 0, 2).value(s("last_resort")).toBool());
    EXPECT_TRUE(member(m, 0, 2).value(s("share")).isNull());
    EXPECT_EQ(member(m, 1, 0).value(s("name")).toString(), s("d"));
    EXPECT_EQ(member(m, 1, 0).value(s("share")).toDouble(), 0.0);

    // b cools: a takes the whole tier.
    saveStatus({status(channel(s("b")).id, HealthState::Cooling, QDateTime::currentDateTimeUtc().addSecs(60), s("429"))});
    list = pools();
    EXPECT_DOUBLE_EQ(member(list.at(1).toObject(), 0, 0).value(s("share")).toDouble(), 1.0);
    EXPECT_EQ(member(list.at(1).toObject(), 0, 1).value(s("share")).toDouble(), 0.0);
    EXPECT_EQ(member(list.at(1).toObject(), 0, 1).value(s("state")).toString(), s("cooling"));
    // a open as well: nothing left in the tier with weight, so the failover tier is the active one.
    saveStatus({status(channel(s("a")).id, HealthState::Open, QDateTime::currentDateTimeUtc().addSecs(60)),
                status(channel(s("b")).id, HealthState::Cooling, QDateTime::currentDateTimeUtc().addSecs(60))});
    list = pools();
    EXPECT_FALSE(list.at(1).toObject().value(s("tiers")).toArray().at(0).toObject().value(s("active")).toBool());
    EXPECT_DOUBLE_EQ(member(list.at(1).toObject(), 1, 0).value(s("share")).toDouble(), 1.0);

    saveStatus({});
    const auto plain = run({s("pool"), s("list")});
    ASSERT_EQ(plain.code, 0) << plain;
    EXPECT_TRUE(plain.out.contains(u"m  (weighted, sticky)")) << plain;
    EXPECT_TRUE(plain.out.contains(u"75.0 %")) << plain;
    EXPECT_TRUE(plain.out.contains(u"last resort")) << plain;
    EXPECT_TRUE(plain.out.contains(u"0 (failover)")) << plain;
}

TEST_F(RoutingCommandsTest, PoolSetStoresStrategyAndStickiness)
{
    ASSERT_EQ(addChannel(s("main"), {s("--map"), s("fast=") + kMystery}).code, 0);
    auto o = run({s("pool"), s("set"), s("fast"), s("--strategy"), s("latency"), s("--sticky"), s("off")});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"Pool 'fast': latency, not sticky.")) << o;
    o = run({s("pool"), s("set"), s("fast"), s("--strategy"), s("cheapest")});
    ASSERT_EQ(o.code, 0) << o;
    {
        auto db = openDb();
        EXPECT_EQ(PoolRepository(*db).list()->value(s("fast")), (PoolSettings{RoutingStrategy::Cheapest, false}));
    }
    const auto list = run({s("pool"), s("list"), s("--json")});
    const QJsonObject fast = json(list.out).array().at(0).toObject();
    EXPECT_EQ(fast.value(s("strategy")).toString(), s("cheapest"));
    EXPECT_FALSE(fast.value(s("sticky")).toBool());
    EXPECT_TRUE(fast.value(s("tiers")).toArray().at(0).toObject().value(s("channels")).toArray().at(0).toObject()
                    .value(s("share")).isNull()) << "shares are by weight only in weighted pools";

    const QString before = snapshot();
    expectRuntimeError(run({s("pool"), s("set"), s("nobody-serves-this"), s("--strategy"), s("latency")}), s("no channel serves model"));
    expectUsageError(run({s("pool"), s("set"), s("fast"), s("--strategy"), s("random")}), s("--strategy must be weighted, latency or cheapest"));
    expectUsageError(run({s("pool"), s("set"), s("fast"), s("--sticky"), s("maybe")}), s("--sticky must be on or off"));
    expectUsageError(run({s("pool"), s("set"), s("fast")}), s("needs --strategy or --sticky"));
    expectUsageError(run({s("pool"), s("set")}), s("needs a model name"));
    expectUsageError(run({s("pool"), s("frob")}), s("unknown pool subcommand"));
    EXPECT_EQ(snapshot(), before);
    EXPECT_TRUE(run({s("help"), s("pool")}).out.contains(u"tarn pool set MODEL"));
}

TEST_F(RoutingCommandsTest, ExportAndImportCarryRoutingFieldsAndPools)
{
    ASSERT_EQ(addChannel(s("main"), {s("--json-mode"), s("off"), s("--max-output-tokens"), s("2048"), s("--tpm"), s("1000"),
                                     s("--price-out"), s("8"), s("--failover-on"), s("400,404"), s("--test-model"), s("zz-t")})
                  .code,
              0);
    ASSERT_EQ(run({s("pool"), s("set"), kMystery, s("--strategy"), s("cheapest"), s("--sticky"), s("off")}).code, 0);
    const QString file = m_dir.filePath(s("backup.json"));
    ASSERT_EQ(run({s("export"), file, s("--secrets")}).code, 0);

    QTemporaryDir other;
    const auto imported = run({s("import"), file}, other.path());
    ASSERT_EQ(imported.code, 0) << imported;
    auto src = openDb();
    auto dst = openDb(other.path());
    const Channel a = *ChannelRepository(*src).findByName(s("main"));
    const Channel b = *ChannelRepository(*dst).findByName(s("main"));
    EXPECT_EQ(b.capabilities, a.capabilities);
    EXPECT_EQ(b.capabilities.jsonMode, CapabilityMode::Off);
    EXPECT_EQ(b.budget, a.budget);
    EXPECT_EQ(b.price, a.price);
    EXPECT_EQ(b.failoverStatuses, a.failoverStatuses);
    EXPECT_EQ(b.testModel, s("zz-t"));
    EXPECT_EQ(PoolRepository(*dst).list()->value(kMystery), (PoolSettings{RoutingStrategy::Cheapest, false}));

    // Bad values in a file are refused like bad flags.
    QFile bad(m_dir.filePath(s("bad.json")));
    ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
    bad.write(R"({"format":"tarn-config","version":2,"channels":[{"name":"x","type":"openai","base_url":"https://a.b/v1",
              "keys":["k-12345678"],"models":["m"],"failover_on":[200]}]})");
    bad.close();
    expectRuntimeError(run({s("import"), bad.fileName()}), s("failover statuses must be 400-599"));
}

} // namespace

TEST_F(RoutingCommandsTest, PoolSharesFollowTheGatewaysEffectiveWeights)
{
    for (const auto &[name, weight] : {std::pair{s("a"), s("3")}, std::pair{s("b"), s("1")}}) {
        const auto o = run({s("channel"), s("add"), s("--name"), name, s("--type"), s("openai"), s("--base-url"),
                            s("https://x.example/v1"), s("--key"), s("sk-12345678-") + name, s("--models"), s("m"),
                            s("--weight"), weight});
        ASSERT_EQ(o.code, 0) << o;
    }
    // a is near its budget: the gateway published a third of its weight.
    ChannelStatus a = status(channel(s("a")).id, HealthState::Healthy);
    a.effectiveWeight = 1;
    ChannelStatus b = status(channel(s("b")).id, HealthState::Healthy);
    saveStatus({a, b});
    const auto o = run({s("pool"), s("list"), s("--json")});
    ASSERT_EQ(o.code, 0) << o;
    const QJsonArray channels = json(o.out).array().at(0).toObject().value(s("tiers")).toArray().at(0).toObject()
                                    .value(s("channels")).toArray();
    ASSERT_EQ(channels.size(), 2);
    EXPECT_DOUBLE_EQ(channels.at(0).toObject().value(s("share")).toDouble(), 0.5);
    EXPECT_DOUBLE_EQ(channels.at(1).toObject().value(s("share")).toDouble(), 0.5);
}

TEST_F(RoutingCommandsTest, RoutingSettingsShowSetAndRefuseNonsense)
{
    auto show = [&] {
        const auto o = run({s("routing"), s("show"), s("--json")});
        EXPECT_EQ(o.code, 0) << o;
        return json(o.out).object();
    };
    QJsonObject r = show();
    EXPECT_EQ(r.value(s("max_attempts")).toInt(), 0);
    EXPECT_EQ(r.value(s("time_budget_ms")).toInt(), 120000);
    EXPECT_FALSE(r.value(s("retry_empty_answers")).toBool());
    EXPECT_EQ(r.value(s("retest_interval_s")).toInt(), 300);

    const auto set = run({s("routing"), s("set"), s("--max-attempts"), s("3"), s("--time-budget-ms"), s("5000"),
                          s("--retry-empty"), s("on"), s("--retest-interval-s"), s("0")});
    ASSERT_EQ(set.code, 0) << set;
    r = show();
    EXPECT_EQ(r.value(s("max_attempts")).toInt(), 3);
    EXPECT_EQ(r.value(s("time_budget_ms")).toInt(), 5000);
    EXPECT_TRUE(r.value(s("retry_empty_answers")).toBool());
    EXPECT_EQ(r.value(s("retest_interval_s")).toInt(), 0);
    const auto text = run({s("routing"), s("show")});
    EXPECT_TRUE(text.out.contains(u"5000 ms")) << text;
    EXPECT_TRUE(text.out.contains(u"never")) << text;

    const QString before = snapshot();
    for (const QStringList &bad : {QStringList{s("--max-attempts"), s("6")}, QStringList{s("--max-attempts"), s("-1")},
                                   QStringList{s("--time-budget-ms"), s("0")}, QStringList{s("--retry-empty"), s("maybe")},
                                   QStringList{s("--retest-interval-s"), s("soon")}, QStringList{}}) {
        const auto o = run(QStringList{s("routing"), s("set")} + bad);
        EXPECT_EQ(o.code, 2) << bad.join(u' ').toStdString() << o;
    }
    EXPECT_EQ(snapshot(), before);
}
