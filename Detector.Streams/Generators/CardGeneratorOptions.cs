namespace Detector.Streams.Generators;

/// <summary>
/// Settings of a <see cref="CardTransactionGenerator"/>. <see cref="Validate"/> fails naming the key, the value and the
/// allowed range, so a bad setting stops start-up rather than producing a strange stream.
/// </summary>
public sealed record CardGeneratorOptions
{
    /// <summary>The most cards a population may have (each costs about 300 bytes of profile and history).</summary>
    public const int MaxCards = 1_000_000;

    /// <summary>The largest card-testing burst; longer bursts would saturate the 16-slot per-card history behind txn_count_1h.</summary>
    public const int MaxBurst = 16;

    /// <summary>Seed of the xoshiro generator: the same seed gives the same byte stream.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Cards in the population.</summary>
    public int Cards { get; init; } = 2_000;

    /// <summary>Mean transactions per card per day (each card draws its own rate around it).</summary>
    public double TransactionsPerCardPerDay { get; init; } = 3;

    /// <summary>Fraction of records that are injected fraud (labelled 1), in [0, 0.5].</summary>
    public double AnomalyRate { get; init; } = 0.01;

    /// <summary>Event time of the simulated clock's start.</summary>
    public DateTimeOffset Start { get; init; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Fewest transactions in a card-testing burst.</summary>
    public int CardTestingMinBurst { get; init; } = 5;

    /// <summary>Most transactions in a card-testing burst.</summary>
    public int CardTestingMaxBurst { get; init; } = 15;

    /// <summary>Throws <see cref="Detector.Models.Validation.InvalidOptionException"/> naming the first bad key, its value and the allowed range; returns this.</summary>
    public CardGeneratorOptions Validate()
    {
        OptionsCheck.Check(nameof(Cards), Cards, Cards is >= 1 and <= MaxCards, $"[1, {MaxCards}]");
        OptionsCheck.Check(nameof(TransactionsPerCardPerDay), TransactionsPerCardPerDay,
            TransactionsPerCardPerDay is > 0 and <= 10_000, "(0, 10000]");
        OptionsCheck.Check(nameof(AnomalyRate), AnomalyRate, AnomalyRate is >= 0 and <= 0.5, "[0, 0.5]");
        OptionsCheck.Check(nameof(Start), Start, Start >= DateTimeOffset.UnixEpoch && Start.Year < 9000,
            "from 1970-01-01T00:00:00Z to year 9000");
        OptionsCheck.Check(nameof(CardTestingMinBurst), CardTestingMinBurst,
            CardTestingMinBurst is >= 2 and <= MaxBurst, $"[2, {MaxBurst}]");
        OptionsCheck.Check(nameof(CardTestingMaxBurst), CardTestingMaxBurst,
            CardTestingMaxBurst >= CardTestingMinBurst && CardTestingMaxBurst <= MaxBurst,
            $"[CardTestingMinBurst = {CardTestingMinBurst}, {MaxBurst}]");
        return this;
    }
}
