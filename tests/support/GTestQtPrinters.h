// SPDX-License-Identifier: GPL-3.0-or-later
// Readable GoogleTest failure output for Qt string and time types (found by argument-dependent lookup).
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <ostream>

inline void PrintTo(const QString &value, std::ostream *os)
{
    *os << '"' << value.toStdString() << '"';
}

inline void PrintTo(const QByteArray &value, std::ostream *os)
{
    *os << '"' << value.toStdString() << '"';
}

inline void PrintTo(const QDateTime &value, std::ostream *os)
{
    *os << (value.isValid() ? value.toString(Qt::ISODateWithMs).toStdString() : std::string("(null)"));
}
