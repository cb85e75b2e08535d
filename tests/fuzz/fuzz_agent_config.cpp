// SPDX-License-Identifier: GPL-3.0-or-later
// Guards the coding agents' config writers (`tarn connect --apply`, the Connect window) against
// whatever a user's files hold: .env, settings.json (duplicate keys, odd types, comments) and
// Codex's config.toml. Any bytes give an edit or a refusal, never a crash; an edit, read back,
// points the agent at Tarn with the key and model asked for; and editing an edited file again
// changes nothing.
// Input: <1 byte: agent and which of its files exist> <file 0> 0xFF 0xFE <file 1>.
#include "gateway/connect/AgentConfig.h"

#include <cstdio>
#include <cstdlib>

using namespace tarn::gateway;
using namespace tarn::gateway::connect;

namespace {

[[noreturn]] void fail(const char *agent, const char *what)
{
    std::fprintf(stderr, "fuzz_agent_config: %s: %s\n", agent, what);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const std::vector<std::unique_ptr<AgentConfig>> agents = createAgentConfigs({QStringLiteral("/home/fuzz"), {}, {}});
    const AgentConfig &agent = *agents.at(data[0] % agents.size());
    const QByteArray id = agent.id().toUtf8();
    const QByteArray bytes(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const qsizetype cut = bytes.indexOf("\xFF\xFE");
    const QList<QByteArray> parts = cut < 0 ? QList<QByteArray>{bytes, {}} : QList<QByteArray>{bytes.left(cut), bytes.mid(cut + 2)};
    FileContents current;
    for (qsizetype i = 0; i < agent.configFiles().size(); ++i) {
        const bool exists = (data[0] >> (4 + i)) & 1;
        current.append(exists ? std::optional<QByteArray>(parts.value(i)) : std::nullopt);
    }

    // A key is what tests and the window hand over; a model name may carry any text.
    const ConnectTarget target{QStringLiteral("http://127.0.0.1:8276"), QStringLiteral("tarn-fuzzKey0123456789"),
                               (data[0] & 8) ? QStringLiteral("gpt \"x\" = 'y' #z") : QString()};
    (void)agent.inspect(current);
    const Result<QList<QByteArray>> planned = agent.plan(current, target);
    if (!planned)
        return 0;
    if (planned->size() != agent.configFiles().size())
        fail(id.constData(), "a plan without one content per file");
    FileContents written;
    for (const QByteArray &file : *planned)
        written.append(file);
    const Result<AgentConnection> read = agent.inspect(written);
    if (!read)
        fail(id.constData(), "what was written cannot be read back");
    if (read->rootUrl != target.rootUrl)
        fail(id.constData(), "what was written does not point at Tarn");
    if (agent.needsKey() && read->key != target.key)
        fail(id.constData(), "what was written does not carry the key");
    if (!target.model.isEmpty() && read->model != target.model)
        fail(id.constData(), "what was written does not name the model");
    const Result<QList<QByteArray>> again = agent.plan(written, target);
    if (!again || *again != *planned)
        fail(id.constData(), "a second edit of an edited file changes it");
    return 0;
}
