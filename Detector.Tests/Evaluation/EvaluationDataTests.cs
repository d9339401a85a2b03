using System.Text;
using Detector.Node.Evaluation;
using Detector.Streams.Decoding;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>Labelled files load with an inferred schema the production decoder reads, and labels never reach it.</summary>
public sealed class EvaluationDataTests() : TempFiles("detector-eval-")
{
    [Fact]
    public void Load_SemicolonCsvWithTimeColumn_InfersFeaturesAndReadsFloatLabels()
    {
        var path = Write("skab.csv", "datetime;a;b;anomaly;changepoint\n2020-03-09 10:14:33;1.5;2;0.0;0.0\n2020-03-09 10:14:34;1.6;2.1;1.0;1.0\n");
        var data = EvaluationData.Load(path, new EvaluationOptions { Exclude = ["changepoint"] });
        Assert.Equal(["a", "b"], data.Features);
        Assert.Equal([false, true], data.Labels);
        Assert.Equal(1000, data.TimesMs![1] - data.TimesMs[0]);
        Assert.Equal("datetime", data.Schema.TimestampField);
        Assert.Equal(EvaluationData.SyntheticEntity, data.Schema.EntityField);
        var decoder = RecordDecoder.Create(data.Schema);
        var features = new float[2];
        Assert.True(decoder.TryDecode(data.Payloads[1], new SourcePosition(0, 1), features, out var info, out var error), error.Detail);
        Assert.Equal([1.6f, 2.1f], features);
        Assert.Equal("all", info.EntityKey);
        Assert.Null(info.Label); // the decoder is never told which column is the label
    }

    [Fact]
    public void Load_CsvWithoutTimeOrEntity_AppendsSyntheticColumnsOneSecondApart()
    {
        var path = Write("odds.csv", "f0,f1,label\n1,2,0\n3,4,1\n5,6,0\n");
        var data = EvaluationData.Load(path, new EvaluationOptions());
        Assert.Null(data.TimesMs);
        var decoder = RecordDecoder.Create(data.Schema);
        var f = new float[2];
        Assert.True(decoder.TryDecode(data.Payloads[0], new SourcePosition(0, 0), f, out var first, out _));
        Assert.True(decoder.TryDecode(data.Payloads[2], new SourcePosition(0, 2), f, out var third, out _));
        Assert.Equal(TimeSpan.FromSeconds(2), third.Timestamp - first.Timestamp);
        Assert.Equal([5f, 6f], f);
    }

    [Fact]
    public void Load_JsonLines_NumericPropertiesBecomeFeaturesAndBooleanLabelsRead()
    {
        var path = Write("x.jsonl", "{\"host\":\"h1\",\"cpu\":0.5,\"mem\":3,\"is_anomaly\":false}\n{\"host\":\"h2\",\"cpu\":0.9,\"mem\":4,\"is_anomaly\":true}\n");
        var data = EvaluationData.Load(path, new EvaluationOptions { Entity = "host" });
        Assert.Equal(["cpu", "mem"], data.Features);
        Assert.Equal([false, true], data.Labels);
        var decoder = RecordDecoder.Create(data.Schema);
        var f = new float[2];
        Assert.True(decoder.TryDecode(data.Payloads[1], new SourcePosition(0, 1), f, out var info, out var error), error.Detail);
        Assert.Equal("h2", info.EntityKey);
        Assert.Equal([0.9f, 4f], f);
    }

    [Fact]
    public void Load_NoLabelColumn_NamesTheColumnsItHas()
    {
        var path = Write("bad.csv", "a,b\n1,2\n");
        var e = Assert.Throws<ArgumentException>(() => EvaluationData.Load(path, new EvaluationOptions()));
        Assert.Contains("no label column", e.Message);
        Assert.Contains("[a, b]", e.Message);
    }

    [Fact]
    public void Permuted_Seeded_SameOrderForSameSeedAndLabelsFollowRecords()
    {
        var text = new StringBuilder("x,label\n");
        for (var i = 0; i < 50; i++)
        {
            text.Append(i).Append(',').Append(i % 5 == 0 ? 1 : 0).Append('\n');
        }
        var data = EvaluationData.Load(Write("p.csv", text.ToString()), new EvaluationOptions());
        var a = data.Permuted(3);
        var b = data.Permuted(3);
        Assert.Equal(a.Payloads.Select(Encoding.UTF8.GetString), b.Payloads.Select(Encoding.UTF8.GetString));
        Assert.NotEqual(data.Payloads.Select(Encoding.UTF8.GetString), a.Payloads.Select(Encoding.UTF8.GetString));
        for (var i = 0; i < a.Count; i++)
        {
            var x = int.Parse(Encoding.UTF8.GetString(a.Payloads[i]).Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(x % 5 == 0, a.Labels[i]);
        }
    }

    [Fact]
    public void Config_UnknownKeyOrBadValue_IsAnArgumentErrorNamingIt()
    {
        var typo = Write("typo.json", "{ \"Model\": { \"Kind\": \"ConvolutionalAutoencoder\", \"WindowStep\": 60 } }");
        Assert.Contains("WindowStep", Assert.Throws<ArgumentException>(() => EvaluationConfig.Load(typo)).Message);
        var bad = Write("bad.json", "{ \"Evaluation\": { \"ThresholdFactor\": -1 } }");
        Assert.Contains("ThresholdFactor", Assert.ThrowsAny<ArgumentException>(() => EvaluationConfig.Load(bad)).Message);
        var good = Write("good.json", "{ \"Model\": { \"Kind\": \"LstmAutoencoder\", \"WindowSteps\": 30 }, \"Evaluation\": { \"Threshold\": \"Training\" } }");
        var config = EvaluationConfig.Load(good);
        Assert.Equal((Detector.Models.Networks.ModelKind.LstmAutoencoder, 30, ThresholdMode.Training),
            (config.Model.Kind, config.Model.WindowSteps, config.Evaluation.Threshold));
    }
}
