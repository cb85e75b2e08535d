// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>

namespace tarn::ui {

// text as a QR code (libqrencode, error correction level M): black modules on white, each
// moduleSize pixels, with the standard quiet zone of four modules. Null when text does not fit.
QImage qrCodeImage(const QByteArray &text, int moduleSize = 6);

} // namespace tarn::ui
