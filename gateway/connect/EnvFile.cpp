// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/connect/EnvFile.h"

#include "gateway/connect/AgentConfig.h"

#include <QRegularExpression>

namespace tarn::gateway::connect {

namespace {

// "NAME=" with optional spaces and `export `; the name is captured.
const QRegularExpression &assignment()
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\\s*="));
    return pattern;
}

// A value as npm's dotenv (which Gemini CLI and Qwen Code read .env with) reads it back: bare when
// it can be; in single quotes or backticks, which it takes literally; in double quotes, where it
// turns \n and \r into line breaks and keeps every other backslash. A value holding all three
// quote characters has no exact form there: it gets double quotes with \" (dotenv keeps the
// backslash, Tarn's own reader does too).
QString quoted(const QString &value)
{
    static const QRegularExpression bare(QStringLiteral("^[A-Za-z0-9_./:@+,=-]*$"));
    if (bare.match(value).hasMatch())
        return value;
    const bool lineBreak = value.contains(u'\n') || value.contains(u'\r');
    if (!lineBreak && !value.contains(u'\''))
        return u'\'' + value + u'\'';
    if (!lineBreak && !value.contains(u'`'))
        return u'`' + value + u'`';
    QString escaped = value;
    escaped.replace(u'"', QStringLiteral("\\\"")).replace(u'\n', QStringLiteral("\\n")).replace(u'\r', QStringLiteral("\\r"));
    return u'"' + escaped + u'"';
}

} // namespace

Result<EnvFile> EnvFile::parse(const std::optional<QByteArray> &bytes, const QString &displayPath)
{
    EnvFile file;
    if (!bytes || bytes->isEmpty())
        return file;
    if (bytes->size() > kMaxConfigFileBytes)
        return Error::invalid(QStringLiteral("%1 is larger than %2 MiB; Tarn leaves it alone")
                                  .arg(displayPath).arg(kMaxConfigFileBytes / (1024 * 1024)));
    if (bytes->contains('\0'))
        return Error::invalid(QStringLiteral("%1 is not a text file; Tarn changed nothing").arg(displayPath));
    file.m_original = *bytes;
    file.m_newline = bytes->contains("\r\n") ? QByteArray("\r\n") : QByteArray("\n");
    file.m_finalNewline = bytes->endsWith('\n');
    QByteArray text = *bytes;
    if (file.m_finalNewline)
        text.chop(file.m_newline.size() == 2 && text.endsWith("\r\n") ? 2 : 1);
    file.m_lines = text.split('\n');
    if (file.m_newline == "\r\n") {
        for (QByteArray &line : file.m_lines) {
            if (line.endsWith('\r'))
                line.chop(1);
        }
    }
    return file;
}

qsizetype EnvFile::findLine(const QString &name, qsizetype from) const
{
    for (qsizetype i = from; i < m_lines.size(); ++i) {
        const QRegularExpressionMatch match = assignment().match(QString::fromUtf8(m_lines.at(i)));
        if (match.hasMatch() && match.captured(1) == name)
            return i;
    }
    return -1;
}

QString EnvFile::value(const QString &name) const
{
    // The last assignment wins, as in dotenv.
    qsizetype index = -1;
    for (qsizetype i = findLine(name); i >= 0; i = findLine(name, i + 1))
        index = i;
    if (index < 0)
        return {};
    const QString line = QString::fromUtf8(m_lines.at(index));
    QString value = line.mid(assignment().match(line).capturedEnd()).trimmed();
    // Quoted as dotenv reads it: up to the first closing quote not after a backslash; in double
    // quotes \n and \r are line breaks, every other backslash stays.
    if (value.size() >= 2 && (value.startsWith(u'"') || value.startsWith(u'\'') || value.startsWith(u'`'))) {
        const QChar quote = value.front();
        qsizetype end = value.indexOf(quote, 1);
        while (end > 0 && value.at(end - 1) == u'\\')
            end = value.indexOf(quote, end + 1);
        if (end > 0) {
            QString inner = value.mid(1, end - 1);
            if (quote == u'"')
                inner.replace(QStringLiteral("\\n"), QStringLiteral("\n")).replace(QStringLiteral("\\r"), QStringLiteral("\r"));
            return inner;
        }
    }
    const qsizetype comment = value.indexOf(QStringLiteral(" #"));
    return (comment >= 0 ? value.left(comment) : value).trimmed();
}

void EnvFile::set(const QString &name, const QString &value)
{
    const qsizetype first = findLine(name);
    if (first >= 0 && this->value(name) == value && findLine(name, first + 1) < 0)
        return;
    m_changed = true;
    const QByteArray line = (name + u'=' + quoted(value)).toUtf8();
    if (first < 0) {
        m_finalNewline = true; // and the new line must not run on from the last one
        m_lines.append(line);
        return;
    }
    const bool exported = QString::fromUtf8(m_lines.at(first)).trimmed().startsWith(QStringLiteral("export"));
    m_lines[first] = exported ? "export " + line : line;
    for (qsizetype i = findLine(name, first + 1); i >= 0; i = findLine(name, i))
        m_lines.removeAt(i);
}

QByteArray EnvFile::serialise() const
{
    if (!m_changed)
        return m_original;
    QByteArray out = m_lines.join(m_newline);
    if (m_finalNewline || m_original.isEmpty())
        out += m_newline;
    return out;
}

} // namespace tarn::gateway::connect
