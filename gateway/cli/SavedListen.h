// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ListenAddress.h"

#include <QList>

namespace tarn::gateway {

class Database;

// The listen addresses saved in Settings: what a start without --listen or --expose binds.
// 127.0.0.1:kDefaultPort when none are saved, or when one does not parse (warned; Settings only
// ever saves valid ones, so that is a hand-edited database).
QList<ListenAddress> savedListenAddresses(Database &db);

// Where a client on this machine reaches that start: the first saved address with a fixed port,
// a wildcard host (0.0.0.0, ::) as the loopback of its family; 127.0.0.1:kDefaultPort if none.
ListenAddress savedLocalAddress(Database &db);

// "http://HOST:PORT", with IPv6 hosts in brackets.
QString rootUrl(const ListenAddress &address);

} // namespace tarn::gateway
