namespace Atomic.Credentials;

/// <summary>
/// Names the saved credential a request is sent with, for a client whose handler was added without
/// a name (<c>AddAtomicCredentialHandler()</c>): <c>request.WithCredential("acme/crm")</c>.
/// </summary>
public static class CredentialRequestOptions
{
    /// <summary>The request option that holds the credential's name.</summary>
    public static HttpRequestOptionsKey<string> CredentialName { get; } = new("atomic.credential");

    /// <summary>Sends <paramref name="request"/> with the saved credential named <paramref name="name"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="name">A saved credential's name, e.g. <c>acme/crm</c>.</param>
    /// <returns>The same request, for chaining.</returns>
    public static HttpRequestMessage WithCredential(this HttpRequestMessage request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        request.Options.Set(CredentialName, name);
        return request;
    }

    /// <summary>The saved credential <paramref name="request"/> names, if any.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The name, or null.</returns>
    public static string? GetCredential(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(CredentialName, out var name) ? name : null;
    }
}
