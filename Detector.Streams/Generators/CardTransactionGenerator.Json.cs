using System.Text.Json;
using Detector.Streams.Decoding;

namespace Detector.Streams.Generators;

/// <summary>The record layout: the schema, the features and how one transaction becomes its JSON payload.</summary>
public sealed partial class CardTransactionGenerator
{
    /// <summary>The numeric features of a card record, in model order.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        "amount", "log_amount", "amount_ratio", "amount_zscore", "hour_sin", "hour_cos", "hour_familiarity",
        "merchant_familiarity", "merchant_risk", "card_present", "distance_from_home", "secs_since_last",
        "log_secs_since_last", "txn_count_1h",
    ];

    private static readonly RecordSchemaOptions CardSchema = new RecordSchemaOptions
    {
        Format = RecordFormat.Json,
        Features = FeatureNames.Select(name => new FeatureField(name)).ToArray(),
        EntityField = "card",
        TimestampField = "ts",
        IdField = "id",
        LabelField = "label",
    }.Validate();

    // Static initialisers run in textual order within a file but in no defined order across partial files, so every
    // static that another one reads lives here.
    private static readonly string[] ScenarioNames =
        [CardScenario.Normal, CardScenario.AmountSpike, CardScenario.CardTesting, CardScenario.UnusualMerchant, CardScenario.UnusualHour];

    private static readonly JsonEncodedText CardName = JsonEncodedText.Encode("card");
    private static readonly JsonEncodedText CategoryName = JsonEncodedText.Encode("merchant_category");
    private static readonly JsonEncodedText[] Features = FeatureNames.Select(name => JsonEncodedText.Encode(name)).ToArray();
    private static readonly JsonEncodedText[] Scenarios = ScenarioNames.Select(name => JsonEncodedText.Encode(name)).ToArray();

    /// <summary>Computes the features from the card's profile and history, records the transaction in it, and writes the payload.</summary>
    private GeneratedRecord Emit(int card, int category, double amount, bool present, double distanceKm, int scenario)
    {
        ref var c = ref _cards[card];
        var ms = NowMs;
        amount = Math.Max(0.01, Math.Round(amount, 2));
        var secondsSinceLast = Math.Max(0, (ms - c.LastMs) / 1000.0);
        var lastHour = CountSince(card, ms - HourMs);
        c.LastMs = ms;
        _history[card * HistorySlots + c.HistoryHead] = ms;
        c.HistoryHead = (c.HistoryHead + 1) % HistorySlots;

        var hour = HourOfDay(ms);
        var angle = 2 * Math.PI * hour / 24;
        var familiarity = _preference[card * MerchantCategories.Count + category] / c.MaxPreference;
        var utc = DateTime.UnixEpoch.AddMilliseconds(ms);

        _json.Begin(++_sequence, utc);
        var w = _json.Json;
        w.WriteString(CardName, c.Key);
        _json.Number(Features[0], amount, 2);
        _json.Number(Features[1], Math.Log(1 + amount), 5);
        _json.Number(Features[2], amount / c.Typical, 5);
        _json.Number(Features[3], (Math.Log(amount) - c.LogTypical) / c.Sigma, 4);
        _json.Number(Features[4], Math.Sin(angle), 5);
        _json.Number(Features[5], Math.Cos(angle), 5);
        _json.Number(Features[6], HourProfile(card, hour), 5);
        _json.Number(Features[7], familiarity, 5);
        _json.Number(Features[8], MerchantCategories.Risk[category], 2);
        w.WriteNumber(Features[9], present ? 1 : 0);
        _json.Number(Features[10], distanceKm, 2);
        _json.Number(Features[11], secondsSinceLast, 3);
        _json.Number(Features[12], Math.Log(1 + secondsSinceLast), 5);
        w.WriteNumber(Features[13], lastHour);
        w.WriteString(CategoryName, MerchantCategories.Names[category]);
        var label = scenario != NormalIndex;
        var payload = _json.Finish(label, Scenarios[scenario]);
        return new GeneratedRecord(payload, c.Key.Value, new DateTimeOffset(utc), label, ScenarioNames[scenario]);
    }

    /// <summary>The card's transactions at or after <paramref name="fromMs"/> among its last <see cref="HistorySlots"/>.</summary>
    private int CountSince(int card, long fromMs)
    {
        var slots = _history.AsSpan(card * HistorySlots, HistorySlots);
        var count = 0;
        foreach (var t in slots)
        {
            count += t > fromMs ? 1 : 0;
        }
        return count;
    }
}
