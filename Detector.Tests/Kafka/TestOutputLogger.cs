using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Detector.Tests.Kafka;

/// <summary>Log lines (information and up) of one named component in the test output.</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output, string who) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {who} {logLevel}: {formatter(state, exception)} {exception?.Message}");
        }
        catch (InvalidOperationException)
        {
            // The test has ended.
        }
    }
}
