using System.Xml;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Integrations;

/// <summary>The <c>&lt;Code&gt;</c> of an S3 error answer, read from at most a few KiB of it.</summary>
internal static class S3Error
{
    private const int MaxBytes = 8 * 1024;

    public static async Task<string?> CodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (await ResponsePeek.BodyAsync(response, MaxBytes, cancellationToken).ConfigureAwait(false) is not { } body)
            {
                return null;
            }

            using var xml = new MemoryStream(body.ToArray(), writable: false);
            var code = await S3Xml.FirstElementAsync(xml, "Code").ConfigureAwait(false);

            // An error code is a short word; anything else is not quoted.
            return code is { Length: <= 64 } && code.All(char.IsAsciiLetterOrDigit) ? code : null;
        }
        catch (Exception exception) when (exception is XmlException or HttpRequestException or IOException)
        {
            // No readable code: the status says enough.
        }

        return null;
    }
}
