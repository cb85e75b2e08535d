// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace tarn::ui {

// Starting Tarn when the user logs in, the way each desktop expects it: an XDG autostart entry on
// Linux (~/.config/autostart/tarn.desktop, honouring XDG_CONFIG_HOME), a LaunchAgent plist on
// macOS, the HKCU Run key on Windows. The entry itself is the setting: nothing else remembers it,
// so removing it by hand is respected. The entry passes kAutostartFlag, so "start hidden" can apply
// to a login start only and a start by hand always shows the window (CC Switch #784).
class LaunchAtLogin final
{
public:
    static constexpr const char *kAutostartFlag = "--autostart";

    // program: the executable to start; arguments follow it (e.g. --data-dir when not the default).
    explicit LaunchAtLogin(QString program, QStringList arguments = {});

    // Whether the entry starts this program: an entry the desktop is told to skip (Hidden=true,
    // X-GNOME-Autostart-enabled=false) or one starting another binary does not count, and
    // enabling rewrites it.
    [[nodiscard]] bool isEnabled() const;
    // Whether this process was started by the entry (its arguments carry kAutostartFlag).
    [[nodiscard]] static bool startedAtLogin(const QStringList &arguments);
    // Writes or removes the entry; false with errorString() set when that failed.
    bool setEnabled(bool enabled);
    [[nodiscard]] QString errorString() const { return m_error; }
    // Where the entry lives (a file, or the registry key's name on Windows).
    [[nodiscard]] QString location() const;

private:
    QString m_program;
    QStringList m_arguments;
    QString m_error;
};

} // namespace tarn::ui
