// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QList>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tarn::fuzz {

// A fuzz input cut into the pieces a socket or upstream might deliver. Layout:
//   <payload> <k split bytes> <k>
// where the last byte is k (mod 64) and the split bytes, used in turn until the payload runs out,
// are piece lengths: s + 1 for s < 192, else (s - 191) * 256 (up to 16 KiB, a socket read).
// k = 0 gives one piece. Seeds are plain payloads plus a 0 byte.
struct SplitInput
{
    QByteArrayView payload;
    QList<QByteArrayView> pieces;
};

inline SplitInput splitInput(const uint8_t *data, size_t size)
{
    SplitInput in;
    if (size == 0)
        return in;
    size_t k = data[size - 1] % 64;
    if (k > size - 1)
        k = size - 1;
    const size_t payloadSize = size - 1 - k;
    const uint8_t *sizes = data + payloadSize;
    in.payload = QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(payloadSize));
    size_t at = 0;
    for (size_t i = 0; at < payloadSize; ++i) {
        const size_t s = k == 0 ? 0 : sizes[i % k];
        const size_t want = k == 0 ? payloadSize : s < 192 ? s + 1 : (s - 191) * 256;
        const size_t len = std::min(want, payloadSize - at);
        in.pieces.append(in.payload.sliced(qsizetype(at), qsizetype(len)));
        at += len;
    }
    return in;
}

// A piece copied into a buffer of exactly its size, so reading one byte past it trips ASan.
class ExactCopy
{
public:
    explicit ExactCopy(QByteArrayView bytes) : m_bytes(bytes.begin(), bytes.end()) {}
    QByteArrayView view() const { return QByteArrayView(m_bytes.data(), qsizetype(m_bytes.size())); }

private:
    std::vector<char> m_bytes;
};

} // namespace tarn::fuzz
