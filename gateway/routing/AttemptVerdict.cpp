// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder until the classifier lands (helper A owns this file).
#include "gateway/routing/AttemptVerdict.h"
