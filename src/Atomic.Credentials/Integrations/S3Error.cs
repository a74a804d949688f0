using System.Xml;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Aws;

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

            using var reader = XmlReader.Create(new MemoryStream(body.ToArray()), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Code")
                {
                    var code = reader.ReadElementContentAsString();
                    // An error code is a short word; anything else is not quoted.
                    return code.Length <= 64 && code.All(char.IsAsciiLetterOrDigit) ? code : null;
                }
            }
        }
        catch (Exception exception) when (exception is XmlException or HttpRequestException or IOException)
        {
            // No readable code: the status says enough.
        }

        return null;
    }
}
