// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodec.h"

#include <gtest/gtest.h>
