// SPDX-License-Identifier: GPL-3.0-or-later
// tarn-mock-model: the tests' mock upstream as a program, for running real SDKs and agents
// against Tarn by hand (README, "Use with Claude Code"): it speaks OpenAI, Anthropic and Gemini on
// 127.0.0.1, answers an agent's first turn with one shell tool call and, once the tool's result is
// in the history, with "Done: <result>". Prints "mock listening on http://127.0.0.1:PORT".
#include "tests/support/MockUpstream.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStringList>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.contains(QStringLiteral("--help"))) {
        std::printf("usage: tarn-mock-model [--tool NAME [--cmd-key KEY]] [--no-tools] [--thinking] [--log-dir DIR]\n"
                    "  --tool NAME    first turn calls tool NAME with {\"KEY\":\"echo tarn-e2e\"} (KEY default: command)\n"
                    "  --no-tools     never call a tool\n"
                    "  --thinking     send reasoning before the answer\n"
                    "  --log-dir DIR  write each request as DIR/NNN-<format>.head and .body\n");
        return 0;
    }
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
    // --log-dir DIR: an agent's request bodies are what one needs to see when a run goes wrong
    // (which tools it declares, what the history looks like), so each request is written out.
    const qsizetype logAt = args.indexOf(QStringLiteral("--log-dir"));
    QTimer logTimer;
    int logged = 0;
    if (logAt > 0 && logAt + 1 < args.size()) {
        const QString dir = args.at(logAt + 1);
        QDir().mkpath(dir);
        QObject::connect(&logTimer, &QTimer::timeout, &app, [&mock, &logged, dir] {
            const QList<tarn::test::MockRequest> all = mock.requests();
            for (; logged < all.size(); ++logged) {
                const tarn::test::MockRequest &r = all.at(logged);
                const QString stem = dir + QStringLiteral("/%1-%2").arg(logged + 1, 3, 10, QLatin1Char('0')).arg(QString::fromUtf8(r.format()));
                QFile head(stem + QStringLiteral(".head"));
                if (head.open(QIODevice::WriteOnly)) {
                    head.write(r.method + ' ' + r.path + '\n');
                    for (const auto &[name, value] : r.headers)
                        head.write(name + ": " + value + '\n');
                }
                QFile body(stem + QStringLiteral(".body"));
                if (body.open(QIODevice::WriteOnly))
                    body.write(r.body);
            }
        });
        logTimer.start(100);
    }
    std::printf("mock listening on http://127.0.0.1:%u\n", unsigned(mock.port()));
    std::fflush(stdout);
    return app.exec();
}
