using System.Globalization;

namespace Detector.Models.Validation;

/// <summary>
/// The one way options records validate: <see cref="Require"/> throws an <see cref="InvalidOptionException"/> naming
/// the key, the value and what is allowed, and <see cref="Section"/> places a nested record's errors under its key,
/// so a node reports <c>Pipeline:Thresholds:Percentile = 0 is invalid; allowed: (0, 100]</c>.
/// </summary>
public static class OptionCheck
{
    /// <summary>Throws an <see cref="InvalidOptionException"/> for <paramref name="key"/> unless <paramref name="valid"/>.</summary>
    public static void Require(bool valid, string key, object? value, string allowed)
    {
        if (!valid)
        {
            throw new InvalidOptionException(key, value, allowed);
        }
    }

    /// <summary>Runs a nested record's validation, placing any error it raises under <paramref name="section"/>.</summary>
    public static void Section(string section, Action validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        try
        {
            validate();
        }
        catch (InvalidOptionException e)
        {
            throw e.Under(section);
        }
    }

    /// <summary>A value as the user wrote it: invariant culture, strings quoted, times in ISO 8601, null as (null).</summary>
    public static string Show(object? value) => value switch
    {
        null => "(null)",
        string s => $"'{s}'",
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => $"[{string.Join(", ", items.Cast<object?>().Select(Show))}]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "(null)",
    };
}
