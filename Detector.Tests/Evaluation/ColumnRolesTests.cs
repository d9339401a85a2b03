using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>Column roles inferred from a plain file's header, and headerless numeric files.</summary>
public sealed class ColumnRolesTests() : TempFiles("detector-roles-")
{
    [Fact]
    public void Resolve_CommonNames_TakesNumericColumnsAndSaysWhyTheOthersWereSkipped()
    {
        string[] columns = ["ID", "timestamp", "host", "cpu", "mem", "code", "is_anomaly"];
        var numeric = new HashSet<string> { "ID", "cpu", "mem", "code", "is_anomaly" };

        var roles = ColumnRoles.Resolve(columns, new EvaluationOptions { Exclude = ["code"] }, "x.csv", i => numeric.Contains(columns[i]), labelled: true);

        Assert.Equal(["cpu", "mem"], roles.Features);
        Assert.Equal(("ID", "timestamp", "is_anomaly"), (roles.Id, roles.Timestamp, roles.Label));
        Assert.Equal("x.csv: 2 feature column(s) [cpu, mem]; skipped: ID (id), timestamp (time), host (not numeric), code (excluded), is_anomaly (label)",
            roles.Describe("x.csv"));
    }

    [Fact]
    public void Load_HeaderlessNumericCsv_EveryColumnIsAFeatureAndEveryLineARecord()
    {
        var path = Write("machine-1.txt", "0.1,2,3\n0.2,2.5,3.5\n0.3,2.1,3.1\n");

        var data = EvaluationData.Load(path, new EvaluationOptions(), labelled: false);

        Assert.Equal(["c0", "c1", "c2"], data.Features);
        Assert.Equal(3, data.Count);
        Assert.All(data.Labels, Assert.False);
    }

    [Fact]
    public void Load_HeaderlessCsvWithLabelFile_LabelsEveryLine()
    {
        var path = Write("m.csv", "1,2\n3,4\n5,6\n");
        var labels = Write("m-labels.txt", "0\n1\n0\n");

        var data = EvaluationData.Load(path, new EvaluationOptions(), labelled: false).WithLabelFile(labels);

        Assert.Equal([false, true, false], data.Labels);
    }

    [Fact]
    public void Load_HeaderlessCsvWithoutLabels_SaysHowToGiveThem()
    {
        var path = Write("m.csv", "1,2\n3,4\n");

        var e = Assert.Throws<ArgumentException>(() => EvaluationData.Load(path, new EvaluationOptions()));

        Assert.Contains("--labels", e.Message, StringComparison.Ordinal);
    }
}
