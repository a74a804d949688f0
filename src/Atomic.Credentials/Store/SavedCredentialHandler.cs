using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Store;

/// <summary>
/// The handler of a client that serves every saved credential: each request names its own
/// (<see cref="CredentialRequestOptions.WithCredential"/>), and is sent through the same guard,
/// cache, refresh, 401 retry and redirect rules as a configured credential. A request that names
/// none, names one outside the client's prefix, or one that does not exist, is refused before
/// anything is sent.
/// </summary>
internal sealed class SavedCredentialHandler : DelegatingHandler
{
    private readonly SavedCredentials credentials;
    private readonly string? prefix;
    private readonly CredentialBinding binding = new();
    private readonly SendDelegate sendInner;

    public SavedCredentialHandler(SavedCredentials credentials, string? prefix)
    {
        this.credentials = credentials;
        this.prefix = string.IsNullOrEmpty(prefix) ? null : prefix;
        sendInner = base.SendAsync;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Options.TryGetValue(CredentialRequestOptions.CredentialName, out var name) || string.IsNullOrEmpty(name))
        {
            throw new CredentialException("(none)", CredentialStore.UnknownKind,
                "The request names no saved credential: call request.WithCredential(name) before sending it through this client. The request was not sent.");
        }

        if (prefix is not null && !name.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new CredentialException(name, CredentialStore.UnknownKind,
                $"This client applies only saved credentials whose names start with '{prefix}'. The request was not sent.");
        }

        var resolving = credentials.GetAsync(name, cancellationToken);
        return resolving.IsCompletedSuccessfully
            ? binding.SendAsync(this, resolving.Result, request, sendInner, cancellationToken)
            : SendResolvedAsync(resolving, request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendResolvedAsync(ValueTask<Credential> resolving, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var credential = await resolving.ConfigureAwait(false);
        return await binding.SendAsync(this, credential, request, sendInner, cancellationToken).ConfigureAwait(false);
    }
}
