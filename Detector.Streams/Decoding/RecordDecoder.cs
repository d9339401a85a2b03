namespace Detector.Streams.Decoding;

/// <summary>Creates the decoder for a schema's format.</summary>
public static class RecordDecoder
{
    /// <summary>Validates <paramref name="options"/> and returns the JSON or CSV decoder it asks for.</summary>
    public static IRecordDecoder Create(RecordSchemaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Format switch
        {
            RecordFormat.Json => new JsonRecordDecoder(options),
            RecordFormat.Csv => new CsvRecordDecoder(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "Schema:Format is invalid; allowed: Json, Csv"),
        };
    }
}
