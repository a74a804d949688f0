using System.Xml;

namespace Atomic.Credentials.Integrations;

/// <summary>Reads S3's XML answers: no DTDs, only as far as the element wanted.</summary>
internal static class S3Xml
{
    /// <summary>The text of the first element named <paramref name="name"/>, or null when there is none.</summary>
    public static async Task<string?> FirstElementAsync(Stream xml, string name)
    {
        using var reader = XmlReader.Create(xml, new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit });
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == name)
            {
                return await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
            }
        }

        return null;
    }
}
