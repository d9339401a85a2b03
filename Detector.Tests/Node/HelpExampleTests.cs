using Xunit;

namespace Detector.Tests.Node;

/// <summary>
/// The `train` and `score` help examples that use data/cards.jsonl run as written, in the order the help lists them
/// (generate first), through the CLI entry point; only their relative paths are moved under a temporary folder.
/// </summary>
public sealed class HelpExampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-help-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The example lines of a command's help that read or write data/cards.jsonl.</summary>
    private static IEnumerable<string> CardExamples(string command) =>
        Detector.Node.Cli.Build().Subcommands.Single(c => c.Name == command).Description!
            .Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("./detector ", StringComparison.Ordinal) && l.Contains("data/cards.jsonl", StringComparison.Ordinal));

    /// <summary>The line's arguments, relative file paths moved under the temporary folder.</summary>
    private string[] Arguments(string line) =>
        line["./detector ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a.Contains('/', StringComparison.Ordinal) || a.EndsWith(".jsonl", StringComparison.Ordinal) || a.EndsWith(".dtm", StringComparison.Ordinal)
                ? Path.Combine(_dir, a) : a)
            .ToArray();

    [Fact]
    public async Task TrainAndScoreHelp_CardExamples_RunAsWritten()
    {
        var lines = CardExamples("train").Concat(CardExamples("score")).Distinct().ToArray();
        Assert.Contains(lines, l => l.StartsWith("./detector generate ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("./detector train ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("./detector score ", StringComparison.Ordinal));

        foreach (var line in lines)
        {
            Assert.True(await Detector.Node.Cli.Build().Parse(Arguments(line)).InvokeAsync() == 0, $"'{line}' failed");
        }

        Assert.True(File.Exists(Path.Combine(_dir, "models", "cards.dtm")));
        Assert.Equal(File.ReadLines(Path.Combine(_dir, "data", "cards.jsonl")).Count(), File.ReadLines(Path.Combine(_dir, "scores.jsonl")).Count());
    }
}
