using Xunit;

namespace Detector.Tests.Node;

/// <summary>`detector generate` writes the file that the train and score help examples read, and they run on it.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-generate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<int> Run(params string[] args) => Detector.Node.Cli.Build().Parse(args).InvokeAsync();

    [Fact]
    public async Task Generate_CardsThenTheTrainAndScoreHelpExamples_RunAsWritten()
    {
        var data = Path.Combine(_dir, "data", "cards.jsonl");
        var model = Path.Combine(_dir, "models", "cards.dtm");
        var scores = Path.Combine(_dir, "scores.jsonl");

        Assert.Equal(0, await Run("generate", "--dataset", "cards", "--records", "3000", "--out", data));
        Assert.Equal(0, await Run("train", "--input", data, "--dataset", "cards", "--out", model, "--epochs", "2"));
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        Assert.Equal(0, await Run("score", "--model", model, "--input", data, "--dataset", "cards", "--out", scores));

        var lines = File.ReadAllLines(data);
        Assert.Equal(3000, lines.Length);
        Assert.Contains(lines, l => l.Contains("\"label\":1", StringComparison.Ordinal));
        Assert.Equal(3000, File.ReadAllLines(scores).Length);
    }

    [Fact]
    public async Task Generate_FleetCsv_WritesAHeaderAndOneLinePerRecord()
    {
        var path = Path.Combine(_dir, "fleet.csv");

        Assert.Equal(0, await Run("generate", "--dataset", "fleet", "--records", "40", "--out", path, "--seed", "3"));

        var lines = File.ReadAllLines(path);
        Assert.Equal(41, lines.Length);
        Assert.Contains("label", lines[0].Split(','));
        Assert.All(lines.Skip(1), l => Assert.Equal(lines[0].Split(',').Length, l.Split(',').Length));
    }

    [Fact]
    public async Task Generate_UnknownDataset_ExitsWithUsageCode()
    {
        Assert.Equal(2, await Run("generate", "--dataset", "trains", "--out", Path.Combine(_dir, "x.jsonl")));
    }
}
