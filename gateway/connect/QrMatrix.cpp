// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/connect/QrMatrix.h"

#include <qrencode.h>

#include <memory>

namespace tarn::gateway::connect {

QrMatrix qrMatrix(const QByteArray &text)
{
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeData(int(text.size()), reinterpret_cast<const unsigned char *>(text.constData()), 0, QR_ECLEVEL_M),
        &QRcode_free);
    QrMatrix matrix;
    if (!code)
        return matrix;
    matrix.width = code->width;
    matrix.dark.reserve(code->width * code->width);
    for (int i = 0; i < code->width * code->width; ++i)
        matrix.dark.append(code->data[i] & 1); // bit 0 of each byte: the module is dark
    return matrix;
}

QString qrTerminalText(const QrMatrix &matrix)
{
    if (matrix.isNull())
        return {};
    constexpr int quietZone = 4;
    const int side = matrix.width + 2 * quietZone;
    const auto light = [&](int x, int y) {
        x -= quietZone;
        y -= quietZone;
        return x < 0 || y < 0 || x >= matrix.width || y >= matrix.width || !matrix.at(x, y);
    };
    QString text;
    for (int y = 0; y < side; y += 2) {
        for (int x = 0; x < side; ++x) {
            const bool top = light(x, y);
            const bool bottom = y + 1 >= side || light(x, y + 1);
            text += top && bottom ? QChar(0x2588) : top ? QChar(0x2580) : bottom ? QChar(0x2584) : QChar(u' ');
        }
        text += u'\n';
    }
    return text;
}

} // namespace tarn::gateway::connect
