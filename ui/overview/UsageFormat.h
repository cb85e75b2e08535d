// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/NumberFormat.h"

namespace tarn::ui {

// The dashboard writes numbers as every page does (ui/NumberFormat.h).
inline QString formatRate(double rate)
{
    return formatPercent(rate);
}

} // namespace tarn::ui
