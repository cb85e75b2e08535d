// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/connect/QrCode.h"

#include "gateway/connect/QrMatrix.h"

#include <QPainter>

namespace tarn::ui {

QImage qrCodeImage(const QByteArray &text, int moduleSize)
{
    const gateway::connect::QrMatrix code = gateway::connect::qrMatrix(text);
    if (code.isNull() || moduleSize < 1)
        return {};
    constexpr int quietZone = 4;
    const int side = (code.width + 2 * quietZone) * moduleSize;
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    for (int y = 0; y < code.width; ++y) {
        for (int x = 0; x < code.width; ++x) {
            if (code.at(x, y))
                painter.fillRect((x + quietZone) * moduleSize, (y + quietZone) * moduleSize, moduleSize, moduleSize, Qt::black);
        }
    }
    return image;
}

} // namespace tarn::ui
