using Atomic.Credentials.Internal;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// The HTTP stack token requests travel on: never the API client's own (its handlers would see the
/// secret, and a credential handler on it would recurse). With dependency injection it is the named
/// client <see cref="OAuthClientCredentialsHandler.TokenHttpClientName"/> of <c>IHttpClientFactory</c>,
/// so a proxy or certificate is configured the usual way; without, a process-wide handler or the
/// user's own. Redirects are never followed: a 307 would carry the secret to wherever it points.
/// </summary>
internal sealed class TokenTransport
{
    private static readonly Lazy<SocketsHttpHandler> SharedHandler = new(() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        // Picks up DNS changes of the identity provider, as IHttpClientFactory's rotation would.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    });

    private readonly Func<HttpMessageHandler> handlers;

    private TokenTransport(Func<HttpMessageHandler> handlers) => this.handlers = handlers;

    public static TokenTransport Shared { get; } = new(() => SharedHandler.Value);

    public static TokenTransport FromFactory(IHttpMessageHandlerFactory factory) =>
        new(() => factory.CreateHandler(OAuthClientCredentialsHandler.TokenHttpClientName));

    public static TokenTransport Over(HttpMessageHandler handler) => new(() => handler);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A fresh top handler each time: the factory's chain rotates, and ours must not dispose it.
        var top = new Top { InnerHandler = handlers() };
        if (RedirectPolicy.TakeOver(top, out _) is null)
        {
            throw new InvalidOperationException(
                "the HTTP handler for token requests follows redirects and was already in use, so this could not be turned off; configure it with AllowAutoRedirect = false");
        }

        return new HttpMessageInvoker(top, disposeHandler: false).SendAsync(request, cancellationToken);
    }

    private sealed class Top : DelegatingHandler;
}
