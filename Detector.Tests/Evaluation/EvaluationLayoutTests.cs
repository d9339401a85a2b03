using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>Data layouts evaluate accepts beyond one labelled file: unlabelled training files and separate label files.</summary>
public sealed class EvaluationLayoutTests() : TempFiles("detector-layout-")
{
    [Fact]
    public void Load_UnlabelledTrainingFile_TakesEveryNumericColumnAsAFeature()
    {
        var path = Write("train.csv", "a,b,c\n1,2,3\n4,5,6\n");

        var data = EvaluationData.Load(path, new EvaluationOptions(), labelled: false);

        Assert.Equal(["a", "b", "c"], data.Features);
        Assert.Equal([false, false], data.Labels);
    }

    [Fact]
    public void Load_UnlabelledFileWhereLabelsAreRequired_NamesTheWayOut()
    {
        var path = Write("test.csv", "a,b\n1,2\n");

        var error = Assert.Throws<ArgumentException>(() => EvaluationData.Load(path, new EvaluationOptions()));

        Assert.Contains("--labels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithLabelFile_OneLabelPerRecord_ReplacesTheLabels()
    {
        var data = EvaluationData.Load(Write("test.csv", "a,b\n1,2\n3,4\n5,6\n"), new EvaluationOptions(), labelled: false);

        var labelled = data.WithLabelFile(Write("labels.txt", "0\n1\n0\n"));

        Assert.Equal([false, true, false], labelled.Labels);
        Assert.Equal(data.Payloads, labelled.Payloads);
    }

    [Fact]
    public void WithLabelFile_LengthDiffersFromTheData_StopsNamingBothCounts()
    {
        var data = EvaluationData.Load(Write("test.csv", "a,b\n1,2\n3,4\n5,6\n"), new EvaluationOptions(), labelled: false);

        var error = Assert.Throws<ArgumentException>(() => data.WithLabelFile(Write("labels.txt", "0\n1\n")));

        Assert.Contains("2 labels", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 records", error.Message, StringComparison.Ordinal);
    }
}
