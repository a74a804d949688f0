using System.Net;
using System.Text.Json;
using Atomic.Credentials.Internal;
using Atomic.Credentials.OAuth;

namespace Atomic.Credentials.Integrations;

/// <summary>
/// Marketo reports an invalid (<c>601</c>) or expired (<c>602</c>) token as HTTP 200 with
/// <c>{"success":false,"errors":[{"code":"601",…}]}</c>. Only JSON answers of a few KiB are read
/// to find out (an error answer is about 150 bytes), and the caller still gets the whole body.
/// </summary>
internal sealed class MarketoProfile : OAuthApiProfile
{
    /// <summary>An error answer is far smaller; a larger body is passed on unread.</summary>
    internal const int MaxInspectedBytes = 16 * 1024;

    public static readonly MarketoProfile Instance = new();

    public override string Kind => MarketoOptions.KindName;

    public override bool MayBeRejection(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.OK
        && response.Content.Headers.ContentType?.MediaType is { } type
        && type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && !(response.Content.Headers.ContentLength > MaxInspectedBytes);

    public override async ValueTask<bool> IsRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ResponsePeek.BodyAsync(response, MaxInspectedBytes, cancellationToken).ConfigureAwait(false);
        return body is { } bytes && HasTokenError(bytes.Span);
    }

    /// <summary>Whether the top-level <c>errors</c> array holds code 601 or 602 (as a string or a number).</summary>
    internal static bool HasTokenError(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isErrors = reader.ValueTextEquals("errors"u8);
                reader.Read();
                if (isErrors && reader.TokenType == JsonTokenType.StartArray)
                {
                    return ErrorsHold601Or602(ref reader);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: not Marketo's error answer.
        }

        return false;
    }

    private static bool ErrorsHold601Or602(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isCode = reader.ValueTextEquals("code"u8);
                reader.Read();
                if (isCode && IsTokenErrorCode(ref reader))
                {
                    return true;
                }

                reader.Skip();
            }
        }

        return false;
    }

    private static bool IsTokenErrorCode(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.ValueTextEquals("601"u8) || reader.ValueTextEquals("602"u8),
        JsonTokenType.Number => reader.TryGetInt32(out var code) && code is 601 or 602,
        _ => false,
    };
}
