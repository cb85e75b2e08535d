// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QWidget>

class QVBoxLayout;

namespace tarn::ui {

// A channel's API keys, one masked line each: a reveal toggle shows one key on request (never
// all at once by default), a remove button drops it, "Add key" appends an empty line.
class KeyListEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyListEditor)

public:
    explicit KeyListEditor(QWidget *parent = nullptr);
    ~KeyListEditor() override;

    void setKeys(const QStringList &keys);
    // The non-empty keys, trimmed, in order.
    QStringList keys() const;

Q_SIGNALS:
    void changed();

private:
    void addRow(const QString &key);

    QVBoxLayout *m_rows = nullptr;
};

} // namespace tarn::ui
