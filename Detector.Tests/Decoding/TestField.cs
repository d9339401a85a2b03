namespace Detector.Tests.Decoding;

/// <summary>One field of a test record: its name, its text, and whether it is written as a string (JSON) or quoted (CSV).</summary>
/// <param name="Name">Field name (JSON property or CSV column).</param>
/// <param name="Text">The value's text: a JSON token when not <paramref name="Quoted"/>, else the string's content.</param>
/// <param name="Quoted">Write as a JSON string, or as a quoted CSV field.</param>
public sealed record TestField(string Name, string Text, bool Quoted = false);
