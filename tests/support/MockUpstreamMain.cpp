// SPDX-License-Identifier: GPL-3.0-or-later
// tarn-mock-model: the tests' mock upstream as a program, for running real SDKs and agents
// against Tarn by hand (README, "Use with Claude Code"): it speaks OpenAI, Anthropic and Gemini on
// 127.0.0.1, answers an agent's first turn with one shell tool call and, once the tool's result is
// in the history, with "Done: <result>". Prints "mock listening on http://127.0.0.1:PORT".
#include "tests/support/MockUpstream.h"

#include <QCoreApplication>
#include <QStringList>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    tarn::test::MockBehaviour behaviour;
    behaviour.toolLoop = !args.contains(QStringLiteral("--no-tools"));
    behaviour.requireAnthropicKey = true;
    // --tool NAME: the shell tool to call (default: the first tool the request declares), with
    // {"command": "echo tarn-e2e"} (Claude Code's Bash; --cmd-key cmd for Codex's exec_command).
    const qsizetype tool = args.indexOf(QStringLiteral("--tool"));
    if (tool > 0 && tool + 1 < args.size()) {
        const qsizetype keyAt = args.indexOf(QStringLiteral("--cmd-key"));
        const QByteArray key = keyAt > 0 && keyAt + 1 < args.size() ? args.at(keyAt + 1).toUtf8() : QByteArrayLiteral("command");
        behaviour.toolCalls = {{args.at(tool + 1).toUtf8(), "{\"" + key + "\":\"echo tarn-e2e\"}"}};
    }
    if (args.contains(QStringLiteral("--thinking")))
        behaviour.thinking = "The user wants a shell command run.";
    tarn::test::MockUpstream mock;
    mock.setDefaultBehaviour(behaviour);
    std::printf("mock listening on http://127.0.0.1:%u\n", unsigned(mock.port()));
    std::fflush(stdout);
    return app.exec();
}
