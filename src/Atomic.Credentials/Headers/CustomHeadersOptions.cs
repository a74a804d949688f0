namespace Atomic.Credentials;

/// <summary>
/// Fixed headers added to each request, such as an API key: <c>Type: "CustomHeaders"</c>.
/// </summary>
/// <remarks>
/// A configured header replaces a header of the same name already on the request: the credential
/// is the authority for the headers it names.
/// </remarks>
public sealed class CustomHeadersOptions : CredentialOptions
{
    internal const string KindName = "CustomHeaders";

    /// <summary>Header names and values. At least one; names are HTTP tokens, values printable ASCII.</summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    internal override string Kind => KindName;
}
