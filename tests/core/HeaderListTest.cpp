// SPDX-License-Identifier: GPL-3.0-or-later
// Header names compare as HTTP says: ASCII letters without case, everything else exactly.
#include "gateway/core/HeaderList.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

TEST(HeaderNameIs, IgnoresTheCaseOfLettersOnly)
{
    EXPECT_TRUE(headerNameIs("Content-Type", "content-type"));
    EXPECT_TRUE(headerNameIs("X-API-KEY", "x-api-key"));
    EXPECT_TRUE(headerNameIs("", ""));
    EXPECT_FALSE(headerNameIs("content-type", "content-typ"));
    EXPECT_FALSE(headerNameIs("host", "hosts"));
    // Bytes that differ only in bit 0x20 but are not letters stay different.
    EXPECT_FALSE(headerNameIs("x-a", "x\ra"));   // '-' is '\r' | 0x20
    EXPECT_FALSE(headerNameIs("a@b", "a`b"));    // '@' | 0x20 is '`'
    EXPECT_FALSE(headerNameIs("a[b", "a{b"));
    EXPECT_FALSE(headerNameIs("1", "\x11"));
}

TEST(HeaderNameIs, AgreesWithQtsCaseInsensitiveCompareOnEveryAsciiPair)
{
    for (int a = 0; a < 0x80; ++a) {
        for (int b = 0; b < 0x80; ++b) {
            const char x[] = {'k', char(a)};
            const char y[] = {'K', char(b)};
            const QByteArrayView left(x, 2);
            const QByteArrayView right(y, 2);
            EXPECT_EQ(headerNameIs(left, right), left.compare(right, Qt::CaseInsensitive) == 0) << a << " " << b;
        }
    }
}

TEST(HeaderValue, FindsTheFirstMatchWhateverItsCase)
{
    const HeaderList headers{{"X-Thing", "one"}, {"x-thing", "two"}, {"Other", "three"}};
    EXPECT_EQ(headerValue(headers, "x-THING"), "one");
    EXPECT_EQ(headerValue(headers, "other"), "three");
    EXPECT_TRUE(headerValue(headers, "x-thin").isNull());
}

} // namespace
