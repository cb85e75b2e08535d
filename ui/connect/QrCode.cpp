// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/connect/QrCode.h"

#include <QPainter>

#include <qrencode.h>

#include <memory>

namespace tarn::ui {

QImage qrCodeImage(const QByteArray &text, int moduleSize)
{
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeData(int(text.size()), reinterpret_cast<const unsigned char *>(text.constData()), 0, QR_ECLEVEL_M),
        &QRcode_free);
    if (!code || moduleSize < 1)
        return {};
    constexpr int quietZone = 4;
    const int side = (code->width + 2 * quietZone) * moduleSize;
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    for (int y = 0; y < code->width; ++y) {
        for (int x = 0; x < code->width; ++x) {
            // Bit 0 of each byte: the module is dark.
            if (code->data[y * code->width + x] & 1)
                painter.fillRect((x + quietZone) * moduleSize, (y + quietZone) * moduleSize, moduleSize, moduleSize, Qt::black);
        }
    }
    return image;
}

} // namespace tarn::ui
