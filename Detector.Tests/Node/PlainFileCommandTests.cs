using System.Globalization;
using System.Text;
using Detector.Models.Artifacts;
using Xunit;

namespace Detector.Tests.Node;

/// <summary>
/// `train` and `score` read a plain labelled CSV the way `evaluate` does when no Schema is configured: features from
/// the header's numeric columns, the label, id and time columns recognised by name or named by flags.
/// </summary>
public sealed class PlainFileCommandTests() : TempFiles("detector-plain-")
{
    private static Task<int> Run(params string[] args) => Detector.Node.Cli.Build().Parse(args).InvokeAsync();

    /// <summary>An ODDS-style file: f0..f5 and a label column, 2% outliers far from the normal cloud.</summary>
    private string WriteOdds(string name, string? extraColumn = null)
    {
        var rng = new Random(7);
        var text = new StringBuilder();
        text.Append(extraColumn is null ? "" : extraColumn + ",").AppendLine("f0,f1,f2,f3,f4,f5,label");
        for (var i = 0; i < 1000; i++)
        {
            var outlier = i % 50 == 49;
            if (extraColumn is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"{100_000 + i},");
            }
            var basis = rng.NextDouble();
            for (var f = 0; f < 6; f++)
            {
                var v = outlier ? 6 + rng.NextDouble() : basis * (f + 1) + 0.05 * rng.NextDouble();
                text.Append(v.ToString("G6", CultureInfo.InvariantCulture)).Append(',');
            }
            text.AppendLine(outlier ? "1" : "0");
        }
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public async Task TrainThenScore_PlainCsvWithoutSchema_InfersFeaturesLeavesLabelOutAndRanksOutliersFirst()
    {
        var data = WriteOdds("odds.csv");
        var model = Path.Combine(Dir, "m.dtm");
        var scores = Path.Combine(Dir, "scores.csv");

        Assert.Equal(0, await Run("train", "-i", data, "-o", model, "--epochs", "20"));
        Assert.Equal(0, await Run("score", "-m", model, "-i", data, "-o", scores, "--percentile", "98"));

        var artifact = ModelArtifact.Load(model);
        Assert.Equal(["f0", "f1", "f2", "f3", "f4", "f5"], artifact.Schema.Names);
        var lines = File.ReadAllLines(scores).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(1000, lines.Length);
        // The 20 outliers sit far from every training row: the 98th percentile flags them.
        var flagged = lines.Select((l, i) => (Index: i, Flag: l[4] == "true")).Where(x => x.Flag).Select(x => x.Index).ToArray();
        Assert.Equal(Enumerable.Range(0, 1000).Where(i => i % 50 == 49), flagged);
    }

    [Fact]
    public async Task TrainThenScore_IdColumnNamedByFlag_IsNotAFeatureAndNamesTheRecords()
    {
        var data = WriteOdds("ids.csv", extraColumn: "tx");
        var model = Path.Combine(Dir, "ids.dtm");
        var scores = Path.Combine(Dir, "ids.jsonl");

        Assert.Equal(0, await Run("train", "-i", data, "-o", model, "--epochs", "2", "--id-column", "tx"));
        Assert.Equal(0, await Run("score", "-m", model, "-i", data, "-o", scores, "--id-column", "tx"));

        Assert.DoesNotContain("tx", ModelArtifact.Load(model).Schema.Names);
        var first = System.Text.Json.JsonDocument.Parse(File.ReadLines(scores).First()).RootElement;
        Assert.Equal("100000", first.GetProperty("id").GetString());
        Assert.False(first.GetProperty("label").GetBoolean());
    }

    [Fact]
    public async Task Train_PlainCsvWithUnknownLabelColumn_ExitsWithUsageCode()
    {
        var data = WriteOdds("bad.csv");
        Assert.Equal(2, await Run("train", "-i", data, "-o", Path.Combine(Dir, "bad.dtm"), "--label-column", "fraud"));
    }
}
