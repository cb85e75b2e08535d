// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMap>
#include <QString>
#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace tarn::ui {

// A channel's extra request headers, one name/value row each. Values are masked like keys
// (headers often carry a secret: an organisation id, a second token) and revealed one at a time
// on request. Rows are checked by gateway::checkExtraHeaders (the rule the command line and the
// import use), with the reason shown under the rows.
class HeaderListEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeaderListEditor)

public:
    explicit HeaderListEditor(QWidget *parent = nullptr);
    ~HeaderListEditor() override;

    void setHeaders(const QMap<QString, QString> &headers);
    // The complete rows, trimmed (rows left wholly empty are skipped). Meaningful when error() is empty.
    QMap<QString, QString> headers() const;
    // Why the rows cannot be saved; empty when they can.
    QString error() const;

Q_SIGNALS:
    void changed();

private:
    void addRow(const QString &name, const QString &value);
    void revalidate();

    QVBoxLayout *m_rows = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace tarn::ui
