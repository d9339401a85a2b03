using Detector.Models.Validation;

namespace Detector.Streams.Generators;

/// <summary>Generator option validation through the shared <see cref="OptionCheck"/>, in the (key, value, test, range) order the generators read best in.</summary>
internal static class OptionsCheck
{
    /// <summary>Throws <see cref="InvalidOptionException"/> naming <paramref name="key"/>, the value and the allowed range when not valid.</summary>
    public static void Check(string key, object value, bool valid, string range) => OptionCheck.Require(valid, key, value, range);
}
