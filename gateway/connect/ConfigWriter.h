// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connect/AgentConfig.h"

#include <QString>
#include <QStringList>

namespace tarn::gateway::connect {

// What apply did.
struct ApplyOutcome
{
    QStringList changedFiles; // empty: the agent was already set up exactly so
    QString backupDir;        // where the originals are kept for undo
};

// What undo did.
struct UndoOutcome
{
    QStringList restoredFiles; // put back byte for byte
    QStringList removedFiles;  // did not exist before Tarn wrote them
};

// Writes an agent's plan to disk with a backup that undo restores. Before its first change to an
// agent's files it copies each one byte for byte (or records that it did not exist) under
// <backupRoot>/<agent>/<timestamp>/ with a manifest; later applies keep that first backup, so
// undo always goes back to what the user had. Writes are atomic (QSaveFile) and keep the file's
// permissions; a file holding the key is 0600; new folders are 0700. A symlinked config file is
// written through (dotfile managers link them), a dangling link is refused. Undo refuses to
// overwrite a file changed since Tarn wrote it unless forced.
class ConfigWriter
{
public:
    explicit ConfigWriter(QString backupRoot); // e.g. <data-dir>/connect-backups

    // The current contents of the agent's files (links followed).
    static Result<FileContents> read(const AgentConfig &agent);

    Result<ApplyOutcome> apply(const AgentConfig &agent, const ConnectTarget &target) const;
    Result<UndoOutcome> undo(const AgentConfig &agent, bool force = false) const;
    // There is a backup undo would restore.
    bool canUndo(const AgentConfig &agent) const;

private:
    QString m_backupRoot;
};

} // namespace tarn::gateway::connect
