namespace Detector.Models.Validation;

/// <summary>
/// A setting is invalid. Carries the configuration key (a path such as <c>Pipeline:Thresholds:Percentile</c> once a
/// parent section has claimed it), the value as it was shown to the user, and what is allowed; the message says all
/// three. Every options record validates through <see cref="OptionCheck"/>, so this is the one shape a start-up
/// configuration error takes.
/// </summary>
public sealed class InvalidOptionException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception for <paramref name="key"/> holding <paramref name="value"/>.</summary>
    public InvalidOptionException(string key, object? value, string allowed)
        : this(key, value, OptionCheck.Show(value), allowed)
    {
    }

    /// <summary>Creates the exception with no details (serialisation and tooling only).</summary>
    public InvalidOptionException()
        : this("(unknown)", null, "(unknown)")
    {
    }

    /// <summary>Creates the exception with a free-form message (tooling only; prefer the key, value and allowed form).</summary>
    public InvalidOptionException(string message)
        : this(message, null, "(unknown)")
    {
    }

    /// <summary>Creates the exception with a free-form message and cause (tooling only).</summary>
    public InvalidOptionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = message;
        ShownValue = "(unknown)";
        Allowed = "(unknown)";
    }

    private InvalidOptionException(string key, object? value, string shown, string allowed)
        : base(key, value, null)
    {
        Key = key;
        ShownValue = shown;
        Allowed = allowed;
    }

    /// <summary>The configuration key, sections separated by ':'.</summary>
    public string Key { get; }

    /// <summary>The offending value as text (strings quoted; null shown as (null)).</summary>
    public string ShownValue { get; }

    /// <summary>What the key accepts.</summary>
    public string Allowed { get; }

    /// <inheritdoc />
    public override string Message => $"{Key} = {ShownValue} is invalid; allowed: {Allowed}";

    /// <summary>The same error with the key placed under <paramref name="section"/> (<c>section:key</c>).</summary>
    public InvalidOptionException Under(string section) => new($"{section}:{Key}", ActualValue, ShownValue, Allowed);
}
