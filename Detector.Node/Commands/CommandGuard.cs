using Detector.Models.Validation;

namespace Detector.Node.Commands;

/// <summary>Runs a command body and maps what escapes it to an exit code and one clear line on standard error.</summary>
public static class CommandGuard
{
    /// <summary>Configuration errors → 2, cancellation → 1 (stopped before finishing), anything else → 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body();
        }
        catch (InvalidOptionException e)
        {
            await Console.Error.WriteLineAsync($"configuration error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("stopped before finishing");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
