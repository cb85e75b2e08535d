// SPDX-License-Identifier: GPL-3.0-or-later
// Composition root: parse the command line, then run a command, the headless gateway or the
// desktop application around the same gateway.
#include "app/AdminLaunch.h"
#include "app/ShutdownSignals.h"
#include "gateway/Gateway.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/upstream/UpstreamClient.h"

#include <QCoreApplication>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

#ifdef TARN_HAVE_MIMALLOC
#include <mimalloc.h>

#include <cstdlib>
#endif

#ifdef TARN_HAVE_GUI
#include "app/DesktopModule.h"

#include <QDir>
#include <QFileInfo>
#include <QLibrary>
#endif

using namespace tarn;

namespace {

// Parseable by scripts and tests: exactly one line per socket.
void announce(const QList<QUrl> &urls)
{
    for (const QUrl &url : urls)
        std::fprintf(stdout, "listening on %s\n", qPrintable(url.toString()));
    std::fflush(stdout);
}

gateway::GatewayOptions gatewayOptions(const gateway::RunOptions &run)
{
    gateway::GatewayOptions options;
    options.dataDir = run.dataDir;
    options.listen = run.listen;
    options.workers = run.workers;
    options.expose = run.expose;
    if (run.port)
        options.exposePort = *run.port;
    return options;
}

app::AdminLaunch adminLaunch(const gateway::RunOptions &run)
{
    app::AdminLaunch launch;
    launch.enabled = run.admin;
    launch.port = run.adminPort;
    // Asked for any free port (tests, scripts reading the announced lines): the API takes any too.
    launch.ephemeral = run.expose ? run.port == quint16(0)
                                  : !run.listen.isEmpty() && std::all_of(run.listen.cbegin(), run.listen.cend(),
                                                                         [](const gateway::ListenAddress &a) { return a.port == 0; });
    return launch;
}

int runHeadless(int argc, char **argv, const gateway::RunOptions &run)
{
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("Tarn"));
    // Signals are caught before anything is announced: a script may send SIGTERM right after
    // reading the listening line.
    app::ShutdownSignals shutdownSignals;
    gateway::Gateway gateway(gatewayOptions(run));
    if (const gateway::Status status = gateway.start(); !status) {
        std::fprintf(stderr, "tarn: %s\n", qPrintable(status.error().message));
        return 1;
    }
    gateway::AdminServer admin(gateway);
    QObject::connect(&shutdownSignals, &app::ShutdownSignals::shutdownRequested, &application, [&gateway, &admin] {
        admin.stop(); // before the gateway it reads
        gateway.stop();
        QCoreApplication::quit();
    });
    announce(gateway.urls());
    startAdmin(admin, gateway, adminLaunch(run));
    return QCoreApplication::exec();
}

#ifdef TARN_HAVE_GUI
QString executableDirectory(const char *argv0)
{
#ifdef Q_OS_LINUX
    const QFileInfo self(QStringLiteral("/proc/self/exe"));
    if (self.exists())
        return self.canonicalPath();
#endif
    return QFileInfo(QString::fromLocal8Bit(argv0)).absolutePath();
}

// Loads the desktop module from next to the executable (build tree, Windows), ../lib/tarn
// (Linux install) or the bundle's PlugIns (macOS), and runs it.
int runDesktopModule(int argc, char **argv, const gateway::GatewayOptions &options, const app::AdminLaunch &admin)
{
    const QString base = executableDirectory(argv[0]);
    const QStringList candidates = {base, base + QStringLiteral("/" TARN_DESKTOP_MODULE_RELDIR),
                                    base + QStringLiteral("/../PlugIns")};
    QString failure;
    for (const QString &dir : candidates) {
        QLibrary module(QDir::cleanPath(dir + QLatin1Char('/') + QLatin1String(app::kDesktopModuleName)));
        if (!module.load()) {
            if (failure.isEmpty() && QDir(dir).exists())
                failure = module.errorString();
            continue;
        }
        const auto entry = reinterpret_cast<app::DesktopEntry>(module.resolve(app::kDesktopEntrySymbol));
        if (!entry) {
            std::fprintf(stderr, "tarn: %s is not Tarn's desktop module: %s\n", qPrintable(module.fileName()),
                         qPrintable(module.errorString()));
            return 1;
        }
        const app::DesktopLaunch launch{argc, argv, &options, &announce, &admin};
        return entry(&launch); // the module stays loaded until the process exits
    }
    std::fprintf(stderr,
                 "tarn: the desktop module (%s) is not installed next to tarn%s%s; "
                 "run `tarn --headless` for the gateway alone\n",
                 app::kDesktopModuleName, failure.isEmpty() ? "" : ": ", qPrintable(failure));
    return 1;
}

bool displayAvailable()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
#else
    return true;
#endif
}
#endif

// The allocator line of `tarn --version`: names mimalloc only when malloc() really is
// mimalloc's (linking it is not enough if another library's malloc came first).
QString allocatorLine()
{
#ifdef TARN_HAVE_MIMALLOC
    void *probe = std::malloc(64);
    const bool redirected = mi_is_in_heap_region(probe);
    std::free(probe);
    if (redirected) {
        const int v = mi_version();
        return QStringLiteral("allocator: mimalloc %1.%2.%3").arg(v / 100).arg(v / 10 % 10).arg(v % 10);
    }
#endif
    return QStringLiteral("allocator: system");
}

} // namespace

int main(int argc, char **argv)
{
    // Before parsing: the default data dir (QStandardPaths::AppDataLocation) is named after the app.
    QCoreApplication::setApplicationName(QStringLiteral("Tarn"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TARN_VERSION)); // CMake's PROJECT_VERSION
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));
    const gateway::Invocation invocation = gateway::parseInvocation(args);

    switch (invocation.kind) {
    case gateway::Invocation::Kind::Version: {
        QTextStream out(stdout);
        out << invocation.text << '\n' << allocatorLine() << '\n';
        return 0;
    }
    case gateway::Invocation::Kind::Help:
    case gateway::Invocation::Kind::Error:
    case gateway::Invocation::Kind::Command: {
        QCoreApplication application(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("Tarn"));
        QTextStream out(stdout);
        QTextStream err(stderr);
        return gateway::runCommand(invocation, out, err);
    }
    case gateway::Invocation::Kind::Run:
        break;
    }

    gateway::UpstreamClient::globalInit(); // before any thread starts
#ifdef TARN_HAVE_GUI
    if (!invocation.run.headless && displayAvailable())
        return runDesktopModule(argc, argv, gatewayOptions(invocation.run), adminLaunch(invocation.run));
#endif
    return runHeadless(argc, argv, invocation.run);
}
