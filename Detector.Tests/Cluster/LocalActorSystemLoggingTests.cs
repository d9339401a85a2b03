using Detector.Node.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Cluster;

/// <summary>
/// Where a local node's Akka log events go: to the node's logging only, never to stdout, which is the JSON lines of
/// `evaluate --json` (its stdout once carried CoordinatedShutdown's INFO line between them).
/// </summary>
public sealed class LocalActorSystemLoggingTests
{
    [Fact]
    public async Task StartLocal_WithTheNodesLogging_HasNoStdoutLoggerBesideIt()
    {
        using var loggers = LoggerFactory.Create(_ => { });
        await using var akka = await NodeAkka.StartLocalAsync(loggers, CancellationToken.None);

        var configured = akka.System.Settings.Loggers;
        Assert.Single(configured);
        Assert.DoesNotContain(configured, l => l.Contains("DefaultLogger", StringComparison.Ordinal) || l.Contains("StandardOutLogger", StringComparison.Ordinal));
        Assert.NotEqual("OFF", akka.System.Settings.LogLevel);
    }

    [Fact]
    public async Task StartLocal_WithLogsDiscarded_TurnsAkkaLoggingOff()
    {
        await using var akka = await NodeAkka.StartLocalAsync(NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal("OFF", akka.System.Settings.LogLevel);
    }
}
