// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Keys of the settings table (SettingsRepository) that more than one layer reads: the desktop
// writes them, the gateway acts on them.
namespace tarn::gateway::settingkeys {

inline constexpr char kListen[] = "gateway.listen";            // "host:port,[v6]:port"; used when no --listen is given
inline constexpr char kStartHidden[] = "desktop.start_hidden"; // "true" / "false"
inline constexpr char kRetentionDays[] = "usage.retention_days"; // days of usage rows kept; "0" or unset keeps all

} // namespace tarn::gateway::settingkeys
