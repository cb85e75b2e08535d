// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace tarn::gateway::connect {

// A dotenv file (~/.gemini/.env, ~/.qwen/.env) edited line by line: the variables Tarn sets are
// replaced where they stand, every other line (comments and blank lines too) is kept as it was.
class EnvFile
{
public:
    // A missing file is an empty one. Refuses a file over kMaxConfigFileBytes or holding NUL bytes.
    static Result<EnvFile> parse(const std::optional<QByteArray> &bytes, const QString &displayPath);

    // The value as dotenv reads it (quotes removed); empty when unset.
    QString value(const QString &name) const;
    // Replaces the first NAME=… line (keeping an `export ` prefix), drops later ones (dotenv lets
    // the last one win, which would undo the change), or appends a line.
    void set(const QString &name, const QString &value);
    QByteArray serialise() const;

private:
    qsizetype findLine(const QString &name, qsizetype from = 0) const;

    QList<QByteArray> m_lines; // without line endings
    QByteArray m_newline = "\n";
    bool m_finalNewline = true;
    QByteArray m_original;
    bool m_changed = false;
};

} // namespace tarn::gateway::connect
