// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/storage/FilePermissions.h"

#include "gateway/core/Logging.h"

#include <QDir>
#include <QFileInfo>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tarn::gateway {

#ifdef Q_OS_UNIX
namespace {

// Tightens path to mode when group or others have any access; says so when it was there before.
void tighten(const QString &path, mode_t mode, bool isDirectory, bool announce)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat st {};
    if (::stat(native.constData(), &st) != 0 || (st.st_mode & 077) == 0)
        return;
    if (st.st_uid != ::geteuid())
        return; // not ours to change
    if (isDirectory && (st.st_mode & S_ISVTX))
        return; // a shared directory like /tmp
    if (::chmod(native.constData(), mode) != 0) {
        qCWarning(lcStorage) << "cannot restrict" << path << "to mode" << Qt::oct << mode;
        return;
    }
    if (announce) {
        qCWarning(lcStorage).noquote() << QStringLiteral("%1 was accessible to other users (mode %2); set it to %3")
                                              .arg(path, QString::number(st.st_mode & 0777, 8), QString::number(mode, 8));
    }
}

} // namespace
#endif

Status secureDatabaseFiles(const QString &databasePath)
{
    const QFileInfo info(databasePath);
    const QString dir = info.absolutePath();
    const bool dirExisted = QFileInfo::exists(dir);
    if (!QDir().mkpath(dir))
        return Error{ErrorCode::Io, QStringLiteral("cannot create the data directory %1").arg(dir)};
#ifdef Q_OS_UNIX
    tighten(dir, 0700, true, dirExisted);
    const QByteArray native = QFile::encodeName(info.absoluteFilePath());
    if (!info.exists()) {
        // Created here with 0600 so SQLite (which gives -wal and -shm the database's mode) never
        // makes a readable file, even for a moment.
        const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            ::close(fd);
    }
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal")})
        tighten(info.absoluteFilePath() + suffix, 0600, false, true);
#else
    Q_UNUSED(dirExisted);
#endif
    return {};
}

} // namespace tarn::gateway
