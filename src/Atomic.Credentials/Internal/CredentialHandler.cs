namespace Atomic.Credentials.Internal;

/// <summary>
/// The handler <c>AddAtomicCredentialHandler(name)</c> gives a client: an adapter over the credential
/// the registry keeps for that name, shared by every handler <c>IHttpClientFactory</c> builds for it,
/// so a handler rotation keeps the remembered token and what the credential learned.
/// </summary>
internal sealed class CredentialHandler : DelegatingHandler
{
    private readonly Credential credential;
    private readonly CredentialBinding binding = new();
    private readonly SendDelegate sendInner;

    public CredentialHandler(Credential credential)
    {
        this.credential = credential;
        sendInner = base.SendAsync;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        binding.SendAsync(this, credential, request, sendInner, cancellationToken);
}
