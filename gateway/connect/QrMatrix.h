// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace tarn::gateway::connect {

// A QR code's modules (libqrencode, error correction level M), without the quiet zone.
struct QrMatrix
{
    int width = 0;      // modules per side; 0 when the text does not fit in a QR code
    QList<bool> dark;   // row by row, width * width

    [[nodiscard]] bool isNull() const { return width == 0; }
    [[nodiscard]] bool at(int x, int y) const { return dark.at(y * width + x); }
};
[[nodiscard]] QrMatrix qrMatrix(const QByteArray &text);

// The code as text for a terminal, two module rows a line, with a quiet zone of four modules:
// "█" where both modules are light, "▀" top light only, "▄" bottom light only, " " both dark, as
// `qrencode -t UTF8` draws it for a dark background. Lines end in '\n'.
[[nodiscard]] QString qrTerminalText(const QrMatrix &matrix);

} // namespace tarn::gateway::connect
