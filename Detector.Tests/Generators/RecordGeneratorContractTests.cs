using System.Text.Json;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace Detector.Tests.Generators;

/// <summary>What every record generator promises: reproducible, valid, ordered, unique, labelled at the configured rate.</summary>
public abstract class RecordGeneratorContractTests
{
    /// <summary>A generator with default settings but <paramref name="seed"/>.</summary>
    protected abstract IRecordGenerator Create(ulong seed);

    /// <summary>A generator whose anomaly rate is <paramref name="rate"/>.</summary>
    protected abstract IRecordGenerator CreateWithRate(ulong seed, double rate);

    /// <summary>The scenario names the generator may write.</summary>
    protected abstract IReadOnlyList<string> AnomalyScenarios { get; }

    /// <summary>The entity-key field the schema must name.</summary>
    protected abstract string EntityField { get; }

    /// <summary>Records over which the labelled fraction is checked, at the rate given by <see cref="RateUnderTest"/>.</summary>
    protected virtual int RateSampleSize => 100_000;

    /// <summary>The anomaly rate the rate check configures.</summary>
    protected virtual double RateUnderTest => 0.01;

    [Fact]
    public void Next_SameSeed_IdenticalByteStreams()
    {
        var a = Create(42);
        var b = Create(42);

        for (var i = 0; i < 5_000; i++)
        {
            var x = a.Next();
            var y = b.Next();
            Assert.Equal(x.Payload, y.Payload);
            Assert.Equal((x.EntityKey, x.Timestamp, x.IsAnomaly, x.Scenario), (y.EntityKey, y.Timestamp, y.IsAnomaly, y.Scenario));
        }
    }

    [Fact]
    public void Next_DifferentSeed_DifferentByteStreams()
    {
        var a = Create(42);
        var b = Create(43);

        var differing = 0;
        for (var i = 0; i < 1_000; i++)
        {
            differing += a.Next().Payload.AsSpan().SequenceEqual(b.Next().Payload) ? 0 : 1;
        }

        Assert.Equal(1_000, differing);
    }

    [Fact]
    public void Schema_Always_JsonWithEntityTimestampIdAndLabelFields()
    {
        var schema = Create(1).Schema;

        Assert.Same(schema, schema.Validate());
        Assert.Equal(RecordFormat.Json, schema.Format);
        Assert.Equal(EntityField, schema.EntityField);
        Assert.Equal("ts", schema.TimestampField);
        Assert.Equal("id", schema.IdField);
        Assert.Equal("label", schema.LabelField);
        Assert.InRange(schema.Features.Count, 8, 16);
    }

    [Fact]
    public void Next_EveryPayload_ValidJsonWithAllSchemaFieldsAndFiniteNumbers()
    {
        var generator = CreateWithRate(7, 0.05);
        var schema = generator.Schema;

        foreach (var parsed in ParsedRecord.Take(generator, 20_000))
        {
            Assert.All(parsed.Features.Values, value => Assert.True(double.IsFinite(value), $"non-finite feature in {parsed.Id}"));
            Assert.Equal(schema.Features.Count, parsed.Features.Count);
            Assert.Equal(parsed.Record.EntityKey, parsed.Entity);
            Assert.Equal(parsed.Record.Timestamp, parsed.Time);
            Assert.Equal(parsed.Record.IsAnomaly ? 1 : 0, parsed.Label);
            Assert.Equal(parsed.Record.Scenario, parsed.Scenario);
            Assert.Equal(parsed.Label == 1, parsed.Scenario != "normal");
        }
    }

    [Fact]
    public void Next_ManyRecords_IdsUniqueAndTimestampsNonDecreasing()
    {
        var generator = Create(11);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var previous = DateTimeOffset.MinValue;

        for (var i = 0; i < 50_000; i++)
        {
            var record = generator.Next();
            using var document = JsonDocument.Parse(record.Payload);
            Assert.True(ids.Add(document.RootElement.GetProperty("id").GetString()!), $"duplicate id at record {i}");
            Assert.True(record.Timestamp >= previous, $"record {i} at {record.Timestamp:O} precedes {previous:O}");
            previous = record.Timestamp;
        }
    }

    [Fact]
    public void Next_ConfiguredRate_LabelledFractionWithinTolerance()
    {
        var generator = CreateWithRate(2024, RateUnderTest);

        var labelled = 0;
        for (var i = 0; i < RateSampleSize; i++)
        {
            labelled += generator.Next().IsAnomaly ? 1 : 0;
        }

        var fraction = labelled / (double)RateSampleSize;
        Assert.InRange(fraction, RateUnderTest * 0.8, RateUnderTest * 1.2);
    }

    [Fact]
    public void Next_ZeroRate_NoLabels()
    {
        var generator = CreateWithRate(5, 0);

        for (var i = 0; i < 20_000; i++)
        {
            Assert.False(generator.Next().IsAnomaly);
        }
    }

    [Fact]
    public void Next_ManyRecords_EveryScenarioOccurs()
    {
        var generator = CreateWithRate(99, 0.02);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < 100_000; i++)
        {
            var scenario = generator.Next().Scenario;
            seen[scenario] = seen.GetValueOrDefault(scenario) + 1;
        }

        foreach (var scenario in AnomalyScenarios)
        {
            Assert.True(seen.GetValueOrDefault(scenario) > 0, $"scenario {scenario} never occurred");
        }
        Assert.Equal(AnomalyScenarios.Count + 1, seen.Count);
    }

    [Fact]
    public void Next_AnySeed_PayloadsMatchGroundTruthInEventTimeOrder()
    {
        var seeds = Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(0, int.MaxValue))
            .Select(pair => ((ulong)pair.Item1 << 32) | (uint)pair.Item2).ToArbitrary();
        var property = Prop.ForAll(seeds, seed =>
        {
            var generator = CreateWithRate(seed, 0.2);
            var previous = DateTimeOffset.MinValue;
            foreach (var parsed in ParsedRecord.Take(generator, 300))
            {
                var consistent = parsed.Time == parsed.Record.Timestamp && parsed.Time >= previous
                    && parsed.Entity == parsed.Record.EntityKey && (parsed.Label == 1) == parsed.Record.IsAnomaly
                    && parsed.Features.Values.All(double.IsFinite);
                if (!consistent)
                {
                    return false;
                }
                previous = parsed.Time;
            }
            return true;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(50)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20250101UL, 7UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }
}
