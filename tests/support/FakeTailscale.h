// SPDX-License-Identifier: GPL-3.0-or-later
// A stand-in tailscale CLI: $TARN_TAILSCALE names it while this lives (and is restored after).
// It records every call's arguments; answers `status --json` with status.json (exit 1 while a
// file fail-status exists) and `serve status --json` with serve.json; other commands (serve,
// funnel) succeed with no output, or fail with "serve config denied" while a file fail exists;
// anything sleeps for a minute while a file hang exists.
#pragma once

#include "tests/support/ScopedEnv.h"

#include <QFile>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace tarn::test {

class FakeTailscale
{
public:
    FakeTailscale()
    {
        const QString script = m_dir.filePath(QStringLiteral("tailscale"));
        QFile file(script);
        if (!file.open(QIODevice::WriteOnly))
            return;
        file.write(QStringLiteral("#!/bin/sh\n"
                                  "d='%1'\n"
                                  "echo \"$*\" >> \"$d/calls\"\n"
                                  "[ -e \"$d/hang\" ] && exec sleep 60\n"
                                  "if [ \"$1 $2\" = 'serve status' ]; then cat \"$d/serve.json\" 2>/dev/null; exit 0; fi\n"
                                  "if [ \"$1\" = status ]; then\n"
                                  "  [ -e \"$d/fail-status\" ] && { echo 'failed to connect to local tailscaled' >&2; exit 1; }\n"
                                  "  cat \"$d/status.json\" 2>/dev/null; exit 0\n"
                                  "fi\n"
                                  "[ -e \"$d/fail\" ] && { echo 'serve config denied' >&2; exit 1; }\n"
                                  "exit 0\n")
                       .arg(m_dir.path())
                       .toUtf8());
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        m_env.set(script.toUtf8());
    }
    FakeTailscale(const FakeTailscale &) = delete;
    FakeTailscale &operator=(const FakeTailscale &) = delete;

    // Writes (or, with drop, removes) one of the files above.
    void put(const QString &name, const QByteArray &bytes = "1") const
    {
        QFile file(m_dir.filePath(name));
        if (file.open(QIODevice::WriteOnly))
            file.write(bytes);
    }
    void drop(const QString &name) const { QFile::remove(m_dir.filePath(name)); }
    // Every call's arguments, oldest first.
    QStringList calls() const
    {
        QFile file(m_dir.filePath(QStringLiteral("calls")));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts) : QStringList{};
    }

private:
    QTemporaryDir m_dir;
    // Put back as it was when this goes.
    ScopedEnv m_env{"TARN_TAILSCALE", qEnvironmentVariableIsSet("TARN_TAILSCALE") ? qgetenv("TARN_TAILSCALE") : QByteArray()};
};

} // namespace tarn::test
