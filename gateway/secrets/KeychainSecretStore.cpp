// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/secrets/KeychainSecretStore.h"

#include <QObject>
#include <QThread>
#include <QUuid>

#ifdef TARN_HAVE_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

#include <chrono>
#include <future>
#include <memory>
#include <mutex>

namespace tarn::gateway {

#ifdef TARN_HAVE_KEYCHAIN
namespace {

// The thread every QtKeychain job of the process runs on. QtKeychain queues its jobs through an
// object created on the first job's thread, so that thread must live as long as the process: it
// is started once and never stopped (nor destroyed, like the test watchdog's).
QObject *keychainThreadContext()
{
    static QObject *context = [] {
        auto *thread = new QThread; // never destroyed: outlives main()
        thread->setObjectName(QStringLiteral("tarn-keychain"));
        auto *object = new QObject;
        object->moveToThread(thread);
        thread->start();
        return object;
    }();
    return context;
}

// A copy that shares nothing with s. Strings go into and come out of QtKeychain only as such
// copies: the library (not built with our sanitizers) releases its references on the keychain
// thread, and a reference still shared with the caller's thread would be released on both.
QString owned(const QString &s)
{
    return QString(s.constData(), s.size());
}

struct JobOutcome
{
    QKeychain::Error error = QKeychain::NoError;
    QString message;
    QString text;
};

// Starts the job made by makeJob on the keychain thread and waits up to timeoutMs for it.
Result<JobOutcome> runJob(std::function<QKeychain::Job *()> makeJob, int timeoutMs, const QString &what)
{
    auto done = std::make_shared<std::promise<JobOutcome>>();
    std::future<JobOutcome> outcome = done->get_future();
    QObject *context = keychainThreadContext();
    QMetaObject::invokeMethod(context, [makeJob = std::move(makeJob), done, context] {
        QKeychain::Job *job = makeJob();
        job->setAutoDelete(true);
        QObject::connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job *finished) {
            JobOutcome o{finished->error(), owned(finished->errorString()), {}};
            if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(finished); read && o.error == QKeychain::NoError)
                o.text = owned(read->textData());
            done->set_value(std::move(o));
        });
        job->start();
    }, Qt::QueuedConnection);
    if (outcome.wait_for(std::chrono::milliseconds(timeoutMs)) != std::future_status::ready)
        return Error{ErrorCode::Io, QStringLiteral("the OS keychain did not answer %1 within %2 s").arg(what).arg(timeoutMs / 1000)};
    return outcome.get();
}

Error keychainError(const JobOutcome &o, const QString &what)
{
    const ErrorCode code = o.error == QKeychain::EntryNotFound ? ErrorCode::NotFound : ErrorCode::Io;
    return Error{code, QStringLiteral("OS keychain: %1 failed: %2").arg(what, o.message)};
}

} // namespace
#endif

KeychainSecretStore::KeychainSecretStore(QString service, int timeoutMs)
    : m_service(std::move(service)), m_timeoutMs(timeoutMs)
{
}

bool KeychainSecretStore::isBuiltIn()
{
#ifdef TARN_HAVE_KEYCHAIN
    return true;
#else
    return false;
#endif
}

QString KeychainSecretStore::backendName() const
{
    return QStringLiteral("keychain");
}

#ifdef TARN_HAVE_KEYCHAIN

Status KeychainSecretStore::write(const QString &name, const QString &secret)
{
    const QString service = m_service;
    Result<JobOutcome> o = runJob([service, name, secret] {
        auto *job = new QKeychain::WritePasswordJob(owned(service));
        job->setKey(owned(name));
        job->setTextData(owned(secret));
        return job;
    }, m_timeoutMs, QStringLiteral("storing a secret"));
    if (!o)
        return o.error();
    if (o->error != QKeychain::NoError)
        return keychainError(*o, QStringLiteral("storing a secret"));
    return {};
}

Result<QString> KeychainSecretStore::read(const QString &name)
{
    const QString service = m_service;
    Result<JobOutcome> o = runJob([service, name] {
        auto *job = new QKeychain::ReadPasswordJob(owned(service));
        job->setKey(owned(name));
        return job;
    }, m_timeoutMs, QStringLiteral("reading a secret"));
    if (!o)
        return o.error();
    if (o->error != QKeychain::NoError)
        return keychainError(*o, QStringLiteral("reading secret %1").arg(name));
    return o->text;
}

Status KeychainSecretStore::remove(const QString &name)
{
    const QString service = m_service;
    Result<JobOutcome> o = runJob([service, name] {
        auto *job = new QKeychain::DeletePasswordJob(owned(service));
        job->setKey(owned(name));
        return job;
    }, m_timeoutMs, QStringLiteral("deleting a secret"));
    if (!o)
        return o.error();
    if (o->error != QKeychain::NoError && o->error != QKeychain::EntryNotFound)
        return keychainError(*o, QStringLiteral("deleting secret %1").arg(name));
    return {};
}

Status KeychainSecretStore::probe(int timeoutMs)
{
    KeychainSecretStore quick(m_service, timeoutMs);
    const QString name = QStringLiteral("probe-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString value = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (Status s = quick.write(name, value); !s)
        return s;
    Result<QString> back = quick.read(name);
    const Status removed = quick.remove(name);
    if (!back)
        return back.error();
    if (*back != value)
        return Error{ErrorCode::Io, QStringLiteral("OS keychain: a test entry read back differently")};
    return removed;
}

#else

namespace {
Error notBuiltIn()
{
    return Error{ErrorCode::Io, QStringLiteral("this Tarn was built without QtKeychain")};
}
} // namespace

Status KeychainSecretStore::write(const QString &, const QString &) { return notBuiltIn(); }
Result<QString> KeychainSecretStore::read(const QString &) { return notBuiltIn(); }
Status KeychainSecretStore::remove(const QString &) { return notBuiltIn(); }
Status KeychainSecretStore::probe(int) { return notBuiltIn(); }

#endif

} // namespace tarn::gateway
