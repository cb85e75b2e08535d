// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/StreamTranslator.h"

// STUB: to be implemented.

namespace tarn::gateway {

StreamTranslator::StreamTranslator(Options options) : m_options(std::move(options)) {}
StreamTranslator::~StreamTranslator() = default;
QByteArray StreamTranslator::feed(QByteArrayView) { return {}; }
QByteArray StreamTranslator::finish() { return {}; }
QByteArray StreamTranslator::errorEvent(int, const QString &, QByteArrayView) const { return {}; }

} // namespace tarn::gateway
