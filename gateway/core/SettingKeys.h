// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Keys of the settings table (SettingsRepository): one list for every layer that reads or writes
// them (the command line, the desktop's Settings page, the gateway that acts on them).
namespace tarn::gateway::SettingKeys {

inline constexpr char LoopbackWithoutKey[] = "gateway.loopback_without_key";
inline constexpr char MaxAttempts[] = "routing.max_attempts";
inline constexpr char TimeBudgetMs[] = "routing.time_budget_ms";
inline constexpr char RetryEmptyAnswers[] = "routing.retry_empty_answers";
inline constexpr char RetestIntervalS[] = "routing.retest_interval_s";
inline constexpr char Expose[] = "gateway.expose";            // "loopback|tailscale|all" on the saved listen port; empty: the saved addresses
inline constexpr char Listen[] = "gateway.listen";            // "host:port,[v6]:port"; used when no --listen is given
inline constexpr char StartHidden[] = "desktop.start_hidden"; // "true" / "false"
inline constexpr char RetentionDays[] = "usage.retention_days"; // days of usage rows kept; "0" or unset keeps all

} // namespace tarn::gateway::SettingKeys
