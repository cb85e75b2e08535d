// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/Logging.h"

Q_LOGGING_CATEGORY(lcHttp, "tarn.http", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUpstream, "tarn.upstream", QtWarningMsg)
Q_LOGGING_CATEGORY(lcRouting, "tarn.routing", QtWarningMsg)
Q_LOGGING_CATEGORY(lcStorage, "tarn.storage", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUsage, "tarn.usage", QtWarningMsg)
Q_LOGGING_CATEGORY(lcGateway, "tarn.gateway", QtInfoMsg)
