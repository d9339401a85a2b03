using Detector.Models.Numerics;
using Detector.Streams.Decoding;

namespace Detector.Streams.Generators;

/// <summary>
/// Card transactions ("cards"): a population of cards, each with its own typical amount (log-normal), favourite merchant
/// categories, daily activity profile, card-present habit and rate, transacting on one simulated clock in event-time order
/// (a thinned Poisson process). Fraud is injected at <see cref="CardGeneratorOptions.AnomalyRate"/>: amount spikes,
/// card-testing bursts, unusual merchants and unusual hours. Every feature is computed by the generator from the card's
/// profile and history, so a scorer needs no history of its own. Not thread-safe: one generator per producer.
/// </summary>
public sealed partial class CardTransactionGenerator : IRecordGenerator
{
    private const double HourFloor = 0.01;
    private const double UnusualHourProfile = 0.05;
    private const double UnfamiliarPreference = 0.1;
    private const int HistorySlots = CardGeneratorOptions.MaxBurst;
    private const long HourMs = 3_600_000;
    private const long DayMs = 24 * HourMs;

    private readonly CardGeneratorOptions _options;
    private readonly Card[] _cards;
    private readonly double[] _preference;      // [card, category]: share of the card's spending, sums to 1 per card
    private readonly double[] _cumulativeRate;  // [card]: running sum of candidate rates (per second), for picking by rate
    private readonly long[] _history;           // [card, slot]: ring of the card's latest transaction times (Unix ms)
    private readonly long _startMs;
    private readonly double _incidentProbability;
    private readonly double _burstShare;
    private readonly RecordJsonWriter _json;
    private Rng _rng;
    private double _clockSeconds;
    private long _sequence;
    private int _burstCard = -1;
    private int _burstRemaining;

    /// <summary>A generator with the default options and <paramref name="seed"/>.</summary>
    public CardTransactionGenerator(ulong seed)
        : this(new CardGeneratorOptions { Seed = seed })
    {
    }

    /// <summary>A generator for validated <paramref name="options"/>; the population is drawn from the seed here.</summary>
    public CardTransactionGenerator(CardGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _rng = new Rng(options.Seed);
        _startMs = options.Start.ToUnixTimeMilliseconds();
        _json = new RecordJsonWriter("tx", options.Seed);
        _cards = new Card[options.Cards];
        _preference = new double[options.Cards * MerchantCategories.Count];
        _cumulativeRate = new double[options.Cards];
        _history = new long[options.Cards * HistorySlots];
        Array.Fill(_history, long.MinValue / 2);
        DrawPopulation();

        // Each scenario should carry about a quarter of the labelled records, so a burst (many records) is chosen as an
        // incident 1/meanBurst as often as a one-record scenario. An incident then labels e records on average, and an
        // incident probability q per decision gives a labelled fraction q*e / (q*e + 1 - q) = rate.
        var meanBurst = (options.CardTestingMinBurst + options.CardTestingMaxBurst) / 2.0;
        _burstShare = 1 / meanBurst / (3 + 1 / meanBurst);
        var e = 4 / (3 + 1 / meanBurst);
        var rate = options.AnomalyRate;
        _incidentProbability = rate / (e * (1 - rate) + rate);
    }

    /// <inheritdoc />
    public string Name => "cards";

    /// <inheritdoc />
    public RecordSchemaOptions Schema => CardSchema;

    /// <summary>The options this generator runs with.</summary>
    public CardGeneratorOptions Options => _options;

    /// <inheritdoc />
    public GeneratedRecord Next()
    {
        if (_burstRemaining > 0)
        {
            // Card testing: the burst's records follow one another seconds apart, before any other card's transaction.
            _clockSeconds += 3 + Exponential(15);
            _burstRemaining--;
            return CardTesting(_burstCard);
        }

        var card = NextAcceptedCard();
        if (_rng.NextDouble() >= _incidentProbability)
        {
            return Normal(card);
        }
        var pick = _rng.NextDouble();
        if (pick < _burstShare)
        {
            _burstCard = card;
            _burstRemaining = _options.CardTestingMinBurst
                + _rng.NextInt(_options.CardTestingMaxBurst - _options.CardTestingMinBurst + 1) - 1;
            return CardTesting(card);
        }
        pick = (pick - _burstShare) / (1 - _burstShare);
        if (pick < 1.0 / 3)
        {
            return AmountSpike(card);
        }
        if (pick < 2.0 / 3)
        {
            return UnusualMerchant(card);
        }
        var offHours = FindOffHoursCard(HourOfDay(NowMs));
        return offHours >= 0 ? UnusualHour(offHours) : AmountSpike(card);
    }

    private long NowMs => _startMs + (long)(_clockSeconds * 1000);

    private static double HourOfDay(long ms) => (ms % DayMs) / (double)HourMs;

    private double Exponential(double mean) => -mean * Math.Log(1 - _rng.NextDouble());

    /// <summary>Advances the clock to the next transaction: a candidate card by rate, kept with its activity at this hour.</summary>
    private int NextAcceptedCard()
    {
        var total = _cumulativeRate[^1];
        while (true)
        {
            _clockSeconds += Exponential(1 / total);
            var index = Array.BinarySearch(_cumulativeRate, _rng.NextDouble() * total);
            var card = index >= 0 ? index : Math.Min(~index, _cards.Length - 1);
            if (_rng.NextDouble() < HourProfile(card, HourOfDay(NowMs)))
            {
                return card;
            }
        }
    }

    /// <summary>The card's activity at <paramref name="hour"/> relative to its peak, in [HourFloor, 1].</summary>
    private double HourProfile(int card, double hour)
    {
        ref readonly var c = ref _cards[card];
        var d = Math.Abs(hour - c.PeakHour);
        d = Math.Min(d, 24 - d);
        return HourFloor + (1 - HourFloor) * Math.Exp(-d * d / (2 * c.HourWidth * c.HourWidth));
    }

    /// <summary>A card for which <paramref name="hour"/> is far outside its active hours, or -1 if a few tries find none.</summary>
    private int FindOffHoursCard(double hour)
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var card = _rng.NextInt(_cards.Length);
            if (HourProfile(card, hour) < UnusualHourProfile)
            {
                return card;
            }
        }
        return -1;
    }
}
