using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// Reads a token endpoint's answer with <see cref="Utf8JsonReader"/> (no reflection: the package is
/// trimmed and AOT-compiled). Bounded in size; the media type is not checked, since providers also
/// answer <c>text/plain</c> JSON; a <c>charset</c> other than UTF-8 is transcoded.
/// </summary>
internal static class TokenResponseReader
{
    /// <summary>Far above any real token response, far below what could hurt the process.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>How many members the token response may carry beyond RFC 6749's for <see cref="TokenResponse.Extra"/>; more are skipped.</summary>
    public const int MaxExtraFields = 16;

    /// <summary>The longest name or value kept in <see cref="TokenResponse.Extra"/> (an instance URL is far shorter); a longer one is skipped.</summary>
    public const int MaxExtraLength = 2048;

    /// <summary>Reads and parses the body; throws <see cref="FormatException"/> with a reason free of its content.</summary>
    public static async Task<TokenResponse> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxBytes)
        {
            throw new FormatException($"the response is larger than {MaxBytes} bytes");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var length = await stream.ReadAtLeastAsync(buffer.AsMemory(0, MaxBytes + 1), MaxBytes + 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (length > MaxBytes)
                {
                    throw new FormatException($"the response is larger than {MaxBytes} bytes");
                }

                return Parse(ToUtf8(buffer.AsSpan(0, length), content.Headers.ContentType?.CharSet));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    internal static TokenResponse Parse(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        string? accessToken = null, tokenType = null, error = null, description = null;
        TimeSpan? expiresIn = null;
        Dictionary<string, string>? extra = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("the response is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                var name = field == Field.Other ? ExtraName(ref reader, extra) : null;
                reader.Read();
                switch (field)
                {
                    case Field.AccessToken: accessToken = ReadString(ref reader, "access_token"); break;
                    case Field.TokenType: tokenType = ReadString(ref reader, "token_type"); break;
                    case Field.ExpiresIn: expiresIn = ReadSeconds(ref reader); break;
                    case Field.Error: error = ReadString(ref reader, "error"); break;
                    case Field.ErrorDescription: description = ReadString(ref reader, "error_description"); break;
                    default: ReadExtra(ref reader, name, ref extra); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new FormatException("the response is not a single JSON object");
            }
        }
        catch (JsonException exception)
        {
            // The reader's message can quote the body; give the position only.
            throw new FormatException($"the response is not valid JSON (byte {exception.BytePositionInLine})");
        }

        var response = new TokenResponse(accessToken, tokenType, expiresIn, error, description);
        return extra is null ? response : response with { Extra = extra };
    }

    // ValueTextEquals compares the unescaped name, so "access\u005ftoken" is recognised too.
    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("access_token"u8) ? Field.AccessToken
        : reader.ValueTextEquals("token_type"u8) ? Field.TokenType
        : reader.ValueTextEquals("expires_in"u8) ? Field.ExpiresIn
        : reader.ValueTextEquals("error"u8) ? Field.Error
        : reader.ValueTextEquals("error_description"u8) ? Field.ErrorDescription
        : Field.Other;

    // The name of a member the kind does not know, when there is still room to keep one.
    private static string? ExtraName(ref Utf8JsonReader reader, Dictionary<string, string>? extra) =>
        (extra?.Count ?? 0) < MaxExtraFields && reader.ValueSpan.Length <= MaxExtraLength ? reader.GetString() : null;

    // Kept for the API on the kind (a preset) when a string of bounded length; anything else is skipped, not judged.
    private static void ReadExtra(ref Utf8JsonReader reader, string? name, ref Dictionary<string, string>? extra)
    {
        if (name is not null && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxExtraLength)
        {
            extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
            extra[name] = reader.GetString()!;
            return;
        }

        reader.Skip();
    }

    private static string? ReadString(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new FormatException($"'{field}' is not a string"),
    };

    // RFC 6749 says a number; some providers send a string such as "3599".
    private static TimeSpan? ReadSeconds(ref Utf8JsonReader reader)
    {
        double seconds;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                seconds = reader.GetDouble();
                break;
            case JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                seconds = parsed;
                break;
            case JsonTokenType.Null:
                return null;
            default:
                throw new FormatException("'expires_in' is neither a number nor a string holding one");
        }

        if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new FormatException("'expires_in' is out of range");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static ReadOnlySpan<byte> ToUtf8(ReadOnlySpan<byte> body, string? charset)
    {
        var name = charset?.Trim().Trim('"');
        if (string.IsNullOrEmpty(name) || name.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || name.Equals("utf8", StringComparison.OrdinalIgnoreCase) || name.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        Encoding encoding;
        try
        {
            encoding = Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            // An unknown label: JSON is UTF-8 (RFC 8259 §8.1), so read it as such.
            return body;
        }

        return Encoding.UTF8.GetBytes(encoding.GetString(body));
    }

    private enum Field
    {
        Other,
        AccessToken,
        TokenType,
        ExpiresIn,
        Error,
        ErrorDescription,
    }
}
