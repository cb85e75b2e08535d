// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/LaunchAtLogin.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>

namespace tarn::ui {

namespace {

#if defined(Q_OS_WIN)
const QString kRunKey = QStringLiteral("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run");
const QString kRunValue = QStringLiteral("Tarn");
#endif

// Quoting for the Exec line of a desktop entry: arguments with spaces or quotes are double-quoted.
[[maybe_unused]] QString desktopQuote(const QString &argument)
{
    static const QString special = QStringLiteral(" \t\"'\\$`");
    bool needs = argument.isEmpty();
    for (QChar c : argument)
        needs = needs || special.contains(c);
    if (!needs)
        return argument;
    QString escaped = argument;
    escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""))
        .replace(u'$', QStringLiteral("\\$")).replace(u'`', QStringLiteral("\\`"));
    return u'"' + escaped + u'"';
}

[[maybe_unused]] QString xmlEscape(const QString &text)
{
    return text.toHtmlEscaped();
}

#if !defined(Q_OS_WIN) && !defined(Q_OS_MACOS)
// The first word of a desktop entry's Exec line, unquoted (the program it starts).
QString execProgram(const QString &exec)
{
    const QString line = exec.trimmed();
    if (!line.startsWith(u'"'))
        return line.section(u' ', 0, 0);
    QString program;
    for (qsizetype i = 1; i < line.size(); ++i) {
        if (line.at(i) == u'\\' && i + 1 < line.size()) {
            program.append(line.at(++i));
        } else if (line.at(i) == u'"') {
            break;
        } else {
            program.append(line.at(i));
        }
    }
    return program;
}
#endif

} // namespace

LaunchAtLogin::LaunchAtLogin(QString program, QStringList arguments)
    : m_program(std::move(program))
    , m_arguments(std::move(arguments))
{
#if defined(Q_OS_WIN)
    // tarn.exe started from a console starts tarnw.exe at login: the same program, no console window.
    if (const QFileInfo exe(m_program); exe.fileName().compare(u"tarn.exe", Qt::CaseInsensitive) == 0) {
        if (const QString windowed = exe.dir().filePath(QStringLiteral("tarnw.exe")); QFileInfo::exists(windowed))
            m_program = windowed;
    }
#endif
    m_arguments.append(QString::fromLatin1(kAutostartFlag));
}

bool LaunchAtLogin::startedAtLogin(const QStringList &arguments)
{
    return arguments.contains(QString::fromLatin1(kAutostartFlag));
}

QString LaunchAtLogin::location() const
{
#if defined(Q_OS_WIN)
    return kRunKey + u'\\' + kRunValue;
#elif defined(Q_OS_MACOS)
    return QDir::homePath() + QStringLiteral("/Library/LaunchAgents/io.github.tarn.Tarn.plist");
#else
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || !QDir::isAbsolutePath(config))
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/autostart/tarn.desktop");
#endif
}

bool LaunchAtLogin::isEnabled() const
{
#if defined(Q_OS_WIN)
    QSettings run(kRunKey, QSettings::NativeFormat);
    const QString command = run.value(kRunValue).toString();
    const auto starts = [&command](const QString &program) {
        return command.startsWith(u'"' + QDir::toNativeSeparators(program) + u'"', Qt::CaseInsensitive);
    };
    // An entry an earlier Tarn wrote for tarn.exe beside tarnw.exe starts Tarn all the same.
    const QFileInfo exe(m_program);
    return starts(m_program)
        || (exe.fileName().compare(u"tarnw.exe", Qt::CaseInsensitive) == 0 && starts(exe.dir().filePath(QStringLiteral("tarn.exe"))));
#elif defined(Q_OS_MACOS)
    QFile file(location());
    if (!file.open(QIODevice::ReadOnly))
        return false;
    return QString::fromUtf8(file.readAll()).contains(QStringLiteral("<string>%1</string>").arg(xmlEscape(m_program)));
#else
    QFile file(location());
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return false;
    bool inEntry = false;
    QString exec;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.startsWith(u'[')) {
            inEntry = line == u"[Desktop Entry]";
            continue;
        }
        if (!inEntry)
            continue;
        const qsizetype eq = line.indexOf(u'=');
        const QString key = line.left(eq).trimmed();
        const QString value = line.mid(eq + 1).trimmed();
        // The desktop skips such an entry: Tarn would not start, so it is not enabled.
        if ((key == u"Hidden" && value == u"true") || (key == u"X-GNOME-Autostart-enabled" && value == u"false"))
            return false;
        if (key == u"Exec")
            exec = value;
    }
    return execProgram(exec) == m_program;
#endif
}

bool LaunchAtLogin::setEnabled(bool enabled)
{
    m_error.clear();
#if defined(Q_OS_WIN)
    QSettings run(kRunKey, QSettings::NativeFormat);
    if (enabled) {
        QStringList parts{u'"' + QDir::toNativeSeparators(m_program) + u'"'};
        for (const QString &argument : m_arguments)
            parts.append(argument.contains(u' ') ? u'"' + argument + u'"' : argument);
        run.setValue(kRunValue, parts.join(u' '));
    } else {
        run.remove(kRunValue);
    }
    run.sync();
    if (run.status() != QSettings::NoError)
        m_error = QStringLiteral("cannot write %1").arg(kRunKey);
    return m_error.isEmpty();
#else
    const QString path = location();
    if (!enabled) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            m_error = QStringLiteral("cannot remove %1").arg(path);
        return m_error.isEmpty();
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        m_error = QStringLiteral("cannot create %1").arg(QFileInfo(path).absolutePath());
        return false;
    }
    QByteArray content;
#if defined(Q_OS_MACOS)
    QString arguments = QStringLiteral("    <string>%1</string>\n").arg(xmlEscape(m_program));
    for (const QString &argument : m_arguments)
        arguments += QStringLiteral("    <string>%1</string>\n").arg(xmlEscape(argument));
    content = QStringLiteral(
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                  "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                  "<plist version=\"1.0\">\n<dict>\n"
                  "  <key>Label</key>\n  <string>io.github.tarn.Tarn</string>\n"
                  "  <key>ProgramArguments</key>\n  <array>\n%1  </array>\n"
                  "  <key>RunAtLoad</key>\n  <true/>\n"
                  "</dict>\n</plist>\n")
                  .arg(arguments)
                  .toUtf8();
#else
    QStringList exec{desktopQuote(m_program)};
    for (const QString &argument : m_arguments)
        exec.append(desktopQuote(argument));
    content = QStringLiteral("[Desktop Entry]\n"
                             "Type=Application\n"
                             "Name=Tarn\n"
                             "Comment=LLM API gateway in the system tray\n"
                             "Exec=%1\n"
                             "Icon=tarn\n"
                             "Terminal=false\n"
                             "X-GNOME-Autostart-enabled=true\n")
                  .arg(exec.join(u' '))
                  .toUtf8();
#endif
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit())
        m_error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    return m_error.isEmpty();
#endif
}

} // namespace tarn::ui
