using System.Globalization;
using System.Xml;

namespace Atomic.Credentials.Integrations;

/// <summary>
/// One page of a ListObjectsV2 answer, read with <see cref="XmlReader"/> (no serializer, no
/// reflection): the objects and the token of the next page.
/// </summary>
internal sealed record S3ListPage(IReadOnlyList<S3ObjectInfo> Objects, string? NextContinuationToken)
{
    public static async Task<S3ListPage> ReadAsync(Stream xml, CancellationToken cancellationToken)
    {
        var objects = new List<S3ObjectInfo>();
        string? next = null;
        bool truncated = false;
        using var reader = XmlReader.Create(xml, new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true });
        // ReadElementContentAsString moves to the next node itself: the loop reads on only when nothing was consumed.
        var more = await reader.ReadAsync().ConfigureAwait(false);
        while (more)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
            {
                switch (reader.LocalName)
                {
                    case "Contents":
                        objects.Add(await ReadObjectAsync(reader).ConfigureAwait(false));
                        break;
                    case "NextContinuationToken":
                        next = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        continue;
                    case "IsTruncated":
                        truncated = (await reader.ReadElementContentAsStringAsync().ConfigureAwait(false)) == "true";
                        continue;
                }
            }

            more = await reader.ReadAsync().ConfigureAwait(false);
        }

        return new S3ListPage(objects, truncated ? next : null);
    }

    private static async Task<S3ObjectInfo> ReadObjectAsync(XmlReader reader)
    {
        string key = string.Empty;
        string? etag = null;
        long size = 0;
        var modified = DateTimeOffset.MinValue;
        using var contents = reader.ReadSubtree();
        await contents.ReadAsync().ConfigureAwait(false);
        var more = await contents.ReadAsync().ConfigureAwait(false);
        while (more)
        {
            if (contents.NodeType != XmlNodeType.Element || contents.Depth != 1)
            {
                more = await contents.ReadAsync().ConfigureAwait(false);
                continue;
            }

            switch (contents.LocalName)
            {
                case "Key":
                    key = await contents.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                case "Size":
                    size = long.Parse(await contents.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
                    break;
                case "LastModified":
                    modified = DateTimeOffset.Parse(await contents.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    break;
                case "ETag":
                    etag = await contents.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                default:
                    await contents.SkipAsync().ConfigureAwait(false);
                    break;
            }

            more = contents.ReadState == ReadState.Interactive;
        }

        return new S3ObjectInfo(key, size, modified, etag);
    }
}
