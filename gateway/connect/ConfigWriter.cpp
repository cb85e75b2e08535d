// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/connect/ConfigWriter.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace tarn::gateway::connect {

namespace {

constexpr QFileDevice::Permissions kPrivateFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions kPrivateDir = kPrivateFile | QFileDevice::ExeOwner;
constexpr QFileDevice::Permissions kPublicFile = kPrivateFile | QFileDevice::ReadGroup | QFileDevice::ReadOther;

Error ioError(const QString &message)
{
    return {ErrorCode::Io, message};
}

QByteArray sha256(const std::optional<QByteArray> &bytes)
{
    return bytes ? QCryptographicHash::hash(*bytes, QCryptographicHash::Sha256).toHex() : QByteArray();
}

// The file to read and write for a config path: itself, or what a symlink finally points to.
Result<QString> resolve(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isSymLink())
        return path;
    const QString target = info.canonicalFilePath();
    if (target.isEmpty())
        return ioError(QStringLiteral("%1 is a symlink to %2, which does not exist; Tarn changed nothing")
                           .arg(path, info.symLinkTarget()));
    return target;
}

Result<std::optional<QByteArray>> readFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return std::optional<QByteArray>();
    if (!info.isFile())
        return ioError(QStringLiteral("%1 is not a regular file; Tarn changed nothing").arg(path));
    if (info.size() > kMaxConfigFileBytes)
        return Error::invalid(QStringLiteral("%1 is larger than %2 MiB; Tarn leaves it alone")
                                  .arg(path).arg(kMaxConfigFileBytes / (1024 * 1024)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return std::optional<QByteArray>(file.readAll());
}

Status writeFile(const QString &path, const QByteArray &bytes, QFileDevice::Permissions permissions)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return ioError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    // On the temporary file, before it replaces the old one: a key is never readable by others.
    file.setPermissions(permissions);
    if (file.write(bytes) != bytes.size() || !file.commit())
        return ioError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

// The folders above path that do not exist yet, outermost first.
Result<QStringList> missingParents(const QString &path)
{
    QStringList missing;
    QString dir = QFileInfo(path).absolutePath();
    while (!QFileInfo(dir).isDir() && !QFileInfo(dir).isRoot()) {
        missing.prepend(dir);
        dir = QFileInfo(dir).absolutePath();
    }
    return missing;
}

Status createDirs(const QStringList &dirs)
{
    for (const QString &dir : dirs) {
        if (!QDir().mkdir(dir) && !QFileInfo(dir).isDir())
            return ioError(QStringLiteral("cannot create %1").arg(dir));
        QFile::setPermissions(dir, kPrivateDir);
    }
    return {};
}

struct Backup
{
    QString dir;
    QJsonObject manifest;

    QString manifestPath() const { return QDir(dir).filePath(QStringLiteral("manifest.json")); }
    QJsonArray files() const { return manifest.value(QStringLiteral("files")).toArray(); }

    qsizetype indexOf(const QString &path) const
    {
        const QJsonArray list = files();
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (list.at(i).toObject().value(QStringLiteral("path")).toString() == path)
                return i;
        }
        return -1;
    }

    Status save() const
    {
        return writeFile(manifestPath(), QJsonDocument(manifest).toJson(QJsonDocument::Indented), kPrivateFile);
    }
};

QString agentBackupDir(const QString &root, const AgentConfig &agent)
{
    return QDir(root).filePath(agent.id());
}

// The newest backup of the agent not yet undone.
std::optional<Backup> activeBackup(const QString &root, const AgentConfig &agent)
{
    QDir dir(agentBackupDir(root, agent));
    const QStringList entries = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QString &entry : entries) {
        Backup backup{dir.filePath(entry), {}};
        QFile file(backup.manifestPath());
        if (!file.open(QIODevice::ReadOnly))
            continue;
        backup.manifest = QJsonDocument::fromJson(file.readAll()).object();
        if (backup.manifest.value(QStringLiteral("agent")).toString() == agent.id()
            && !backup.manifest.value(QStringLiteral("undone")).toBool())
            return backup;
    }
    return std::nullopt;
}

Result<Backup> newBackup(const QString &root, const AgentConfig &agent)
{
    const QString agentDir = agentBackupDir(root, agent);
    Result<QStringList> parents = missingParents(QDir(agentDir).filePath(QStringLiteral("x")));
    if (Status s = createDirs(*parents); !s)
        return s.error();
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmss.zzz'Z'"));
    QString name = stamp;
    for (int n = 2; QFileInfo::exists(QDir(agentDir).filePath(name)); ++n)
        name = stamp + QStringLiteral("-%1").arg(n);
    Backup backup{QDir(agentDir).filePath(name), {}};
    if (Status s = createDirs({backup.dir}); !s)
        return s.error();
    backup.manifest = QJsonObject{{QStringLiteral("agent"), agent.id()},
                                  {QStringLiteral("created_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                                  {QStringLiteral("files"), QJsonArray()},
                                  {QStringLiteral("created_dirs"), QJsonArray()},
                                  {QStringLiteral("undone"), false}};
    return backup;
}

} // namespace

ConfigWriter::ConfigWriter(QString backupRoot) : m_backupRoot(std::move(backupRoot)) {}

Result<FileContents> ConfigWriter::read(const AgentConfig &agent)
{
    FileContents contents;
    for (const QString &path : agent.configFiles()) {
        Result<QString> resolved = resolve(path);
        if (!resolved)
            return resolved.error();
        Result<std::optional<QByteArray>> bytes = readFile(*resolved);
        if (!bytes)
            return bytes.error();
        contents.append(*bytes);
    }
    return contents;
}

Result<ApplyOutcome> ConfigWriter::apply(const AgentConfig &agent, const ConnectTarget &target) const
{
    const QStringList paths = agent.configFiles();
    QStringList resolved;
    for (const QString &path : paths) {
        Result<QString> file = resolve(path);
        if (!file)
            return file.error();
        resolved.append(*file);
    }
    Result<FileContents> current = read(agent);
    if (!current)
        return current.error();
    Result<QList<QByteArray>> planned = agent.plan(*current, target);
    if (!planned)
        return planned.error();
    Q_ASSERT(planned->size() == paths.size());

    QList<qsizetype> changed;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        if (!current->at(i) || *current->at(i) != planned->at(i))
            changed.append(i);
    }
    std::optional<Backup> active = activeBackup(m_backupRoot, agent);
    ApplyOutcome outcome;
    if (changed.isEmpty()) {
        outcome.backupDir = active ? active->dir : QString();
        return outcome;
    }

    // Back up every file about to change that the backup does not hold yet, and write the
    // manifest, before touching any of them.
    if (!active) {
        Result<Backup> created = newBackup(m_backupRoot, agent);
        if (!created)
            return created.error();
        active = *created;
    }
    Backup &backup = *active;
    QJsonArray files = backup.files();
    QJsonArray createdDirs = backup.manifest.value(QStringLiteral("created_dirs")).toArray();
    QList<QStringList> parentsToCreate;
    for (const qsizetype i : changed) {
        Result<QStringList> parents = missingParents(resolved.at(i));
        parentsToCreate.append(*parents);
        for (const QString &dir : *parents) {
            if (!createdDirs.contains(dir)) // .env and settings.json share a new folder
                createdDirs.append(dir);
        }
        if (backup.indexOf(resolved.at(i)) >= 0)
            continue;
        const std::optional<QByteArray> &original = current->at(i);
        const QString backupName = QStringLiteral("file-%1").arg(files.size());
        QJsonObject entry{{QStringLiteral("path"), resolved.at(i)},
                          {QStringLiteral("config_path"), paths.at(i)},
                          {QStringLiteral("existed"), original.has_value()}};
        if (original) {
            if (Status s = writeFile(QDir(backup.dir).filePath(backupName), *original, kPrivateFile); !s)
                return s.error();
            entry.insert(QStringLiteral("backup"), backupName);
            entry.insert(QStringLiteral("permissions"), int(QFile::permissions(resolved.at(i)).toInt()));
        }
        files.append(entry);
        backup.manifest.insert(QStringLiteral("files"), files);
    }
    backup.manifest.insert(QStringLiteral("files"), files);
    backup.manifest.insert(QStringLiteral("created_dirs"), createdDirs);
    if (Status s = backup.save(); !s)
        return s.error();

    QList<qsizetype> written;
    const auto rollBack = [&] {
        for (const qsizetype i : written) {
            if (current->at(i))
                (void)writeFile(resolved.at(i), *current->at(i), QFile::permissions(resolved.at(i)));
            else
                QFile::remove(resolved.at(i));
        }
    };
    for (qsizetype n = 0; n < changed.size(); ++n) {
        const qsizetype i = changed.at(n);
        if (Status s = createDirs(parentsToCreate.at(n)); !s) {
            rollBack();
            return s.error();
        }
        const bool holdsKey = !target.key.isEmpty() && planned->at(i).contains(target.key.toUtf8());
        QFileDevice::Permissions permissions = current->at(i) ? QFile::permissions(resolved.at(i)) : kPublicFile;
        if (holdsKey)
            permissions = kPrivateFile;
        if (Status s = writeFile(resolved.at(i), planned->at(i), permissions); !s) {
            rollBack();
            return s.error();
        }
        written.append(i);
        outcome.changedFiles.append(paths.at(i));
        QJsonObject entry = files.at(backup.indexOf(resolved.at(i))).toObject();
        entry.insert(QStringLiteral("written_sha256"), QString::fromLatin1(sha256(planned->at(i))));
        files[backup.indexOf(resolved.at(i))] = entry;
        backup.manifest.insert(QStringLiteral("files"), files);
    }
    if (Status s = backup.save(); !s)
        return s.error();
    outcome.backupDir = backup.dir;
    return outcome;
}

bool ConfigWriter::canUndo(const AgentConfig &agent) const
{
    return activeBackup(m_backupRoot, agent).has_value();
}

Result<UndoOutcome> ConfigWriter::undo(const AgentConfig &agent, bool force) const
{
    std::optional<Backup> backup = activeBackup(m_backupRoot, agent);
    if (!backup)
        return Error::notFound(QStringLiteral("Tarn has not changed %1's configuration: nothing to undo").arg(agent.displayName()));

    // Check everything before restoring anything.
    const QJsonArray files = backup->files();
    QList<QByteArray> originals;
    for (const QJsonValue &value : files) {
        const QJsonObject entry = value.toObject();
        const QString path = entry.value(QStringLiteral("path")).toString();
        Result<std::optional<QByteArray>> now = readFile(path);
        if (!now)
            return now.error();
        if (!force && QString::fromLatin1(sha256(*now)) != entry.value(QStringLiteral("written_sha256")).toString()) {
            return Error::invalid(QStringLiteral("%1 has changed since Tarn wrote it; undo would lose that change "
                                                 "(force it to restore Tarn's backup anyway)").arg(path));
        }
        QByteArray original;
        if (entry.value(QStringLiteral("existed")).toBool()) {
            QFile file(QDir(backup->dir).filePath(entry.value(QStringLiteral("backup")).toString()));
            if (!file.open(QIODevice::ReadOnly))
                return ioError(QStringLiteral("cannot read the backup of %1: %2").arg(path, file.errorString()));
            original = file.readAll();
        }
        originals.append(original);
    }

    UndoOutcome outcome;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QJsonObject entry = files.at(i).toObject();
        const QString path = entry.value(QStringLiteral("path")).toString();
        if (entry.value(QStringLiteral("existed")).toBool()) {
            const auto permissions = QFileDevice::Permissions::fromInt(entry.value(QStringLiteral("permissions")).toInt());
            const QString dir = QFileInfo(path).absolutePath();
            if (Status s = createDirs(QFileInfo(dir).exists() ? QStringList() : *missingParents(path)); !s)
                return s.error();
            if (Status s = writeFile(path, originals.at(i), permissions); !s)
                return s.error();
            outcome.restoredFiles.append(path);
        } else if (QFileInfo::exists(path)) {
            if (!QFile::remove(path))
                return ioError(QStringLiteral("cannot remove %1").arg(path));
            outcome.removedFiles.append(path);
        }
    }
    // The folders Tarn made, innermost first, where they are empty again.
    const QJsonArray createdDirs = backup->manifest.value(QStringLiteral("created_dirs")).toArray();
    for (qsizetype i = createdDirs.size() - 1; i >= 0; --i)
        QDir().rmdir(createdDirs.at(i).toString());
    backup->manifest.insert(QStringLiteral("undone"), true);
    backup->manifest.insert(QStringLiteral("undone_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    if (Status s = backup->save(); !s)
        return s.error();
    return outcome;
}

} // namespace tarn::gateway::connect
