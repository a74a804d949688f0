using Atomic.Credentials.Caching;
using Atomic.Credentials.Diagnostics;
using Atomic.Credentials.Internal;
using Atomic.Credentials.OAuth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials;

/// <summary>
/// Adds <c>Authorization: Bearer …</c> with a token from an OAuth 2.0 client credentials request
/// (RFC 6749 §4.4). Tokens are cached through <see cref="ICredentialCache"/>: one token request
/// however many requests miss at once, replaced in the background before they run out. A <c>401</c>
/// from the API evicts the token and retries once with a new one.
/// </summary>
public sealed class OAuthClientCredentialsHandler : DelegatingHandler
{
    /// <summary>
    /// The <c>IHttpClientFactory</c> client token requests are sent with when the handler comes from
    /// dependency injection: <c>services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName)</c>
    /// configures it (a proxy, a client certificate). It never follows redirects.
    /// </summary>
    public const string TokenHttpClientName = "Atomic.Credentials.OAuth";

    private readonly Pipeline pipeline;
    private readonly SendDelegate sendInner;
    private readonly CredentialBinding binding = new();
    private readonly HandlerCache cache;

    /// <summary>Creates a handler without dependency injection.</summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors, logs and cache keys.</param>
    /// <param name="cache">Where tokens are kept; a private in-memory cache, disposed with this handler, when null.</param>
    /// <param name="tokenHandler">
    /// Sends the token requests (its redirects are turned off); a process-wide <see cref="SocketsHttpHandler"/>
    /// when null. It is not disposed with this handler.
    /// </param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    public OAuthClientCredentialsHandler(
        OAuthClientCredentialsOptions options,
        string? name = null,
        ICredentialCache? cache = null,
        HttpMessageHandler? tokenHandler = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
        : this(
            name ?? OAuthClientCredentialsOptions.KindName,
            OAuthClientCredentialsOptions.KindName,
            OptionsGate.Fixed(new OAuthClientCredentialsOptionsValidator(), name ?? OAuthClientCredentialsOptions.KindName, options),
            cache,
            tokenHandler,
            timeProvider,
            loggerFactory)
    {
    }

    // Without dependency injection, for OAuth options as given or as an integration preset derives
    // them; kind is the Type errors and logs name (the preset's own).
    internal OAuthClientCredentialsHandler(
        string name,
        string kind,
        IOptionsMonitor<OAuthClientCredentialsOptions> monitor,
        ICredentialCache? cache,
        HttpMessageHandler? tokenHandler,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory)
    {
        this.cache = HandlerCache.For(cache, timeProvider, loggerFactory);
        pipeline = new Pipeline(
            name,
            kind,
            monitor,
            this.cache.Cache,
            tokenHandler is null ? TokenTransport.Shared : TokenTransport.Over(tokenHandler),
            timeProvider ?? TimeProvider.System,
            CredentialLoggers.Create<OAuthClientCredentialsHandler>(loggerFactory));
        sendInner = base.SendAsync;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        pipeline.SendAsync(request, sendInner, binding.Redirects(this, pipeline, request), cancellationToken);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            cache.Dispose();
        }

        base.Dispose(disposing);
    }

    internal sealed class State : CredentialState
    {
        public State(string name, string kind, OAuthClientCredentialsOptions options, ICredentialCache cache, TokenTransport transport, TimeProvider timeProvider, ILogger logger)
            : base(options)
        {
            var parameters = new TokenRequestParameters(options, timeProvider);
            Host = parameters.Endpoint.IdnHost;
            RetryOnUnauthorized = options.RetryOnUnauthorized;
            Profile = options.Profile;
            Dpop = DpopProof.For(options, timeProvider);

            // Everything that identifies the token, secrets included (hashed): a rotated secret or
            // another scope is another entry, and two credentials never share one.
            CacheKey = Internal.CacheKey.Create(
                OAuthClientCredentialsOptions.KindName,
                name,
                [
                    options.IdentityUrl, options.RequestScheme.ToString(), options.ClientAuthentication.ToString(),
                    options.ClientId, options.ClientSecret, options.Algorithm, options.KeyId, parameters.KeyThumbprint,
                    Dpop?.Thumbprint, .. parameters.Identity,
                ]);

            Remembered = new RememberedCredential(timeProvider);

            // Shared by every caller of this cache that asks for the same token.
            Cache = cache;
            Gate = TokenEndpointGate.For(cache, CacheKey, timeProvider);

            // One delegate per options instance, so a cache hit allocates none.
            Fetch = new TokenEndpoint(name, kind, options, parameters, Dpop, transport, Gate, timeProvider, logger).RequestAsync;
        }

        public string CacheKey { get; }

        public string Host { get; }

        public bool RetryOnUnauthorized { get; }

        public OAuthApiProfile? Profile { get; }

        /// <summary>The proof maker when the token is DPoP-bound, else null.</summary>
        public DpopProof? Dpop { get; }

        public Func<CancellationToken, Task<CachedCredential>> Fetch { get; }

        public TokenEndpointGate Gate { get; }

        public ICredentialCache Cache { get; }

        public RememberedCredential Remembered { get; }

        public override void Release() => Remembered.Forget();
    }

    /// <summary>The OAuth credential at run time; <paramref name="kind"/> is the <c>Type</c> it was defined with (a preset's own).</summary>
    internal sealed class Pipeline(
        string name,
        string kind,
        IOptionsMonitor<OAuthClientCredentialsOptions> monitor,
        ICredentialCache cache,
        TokenTransport transport,
        TimeProvider timeProvider,
        ILogger logger)
        : CredentialPipeline<OAuthClientCredentialsOptions, State>(name, kind, monitor, logger)
    {
        protected override State CreateState(OAuthClientCredentialsOptions options) => new(Name, Kind, options, cache, transport, timeProvider, Logger);

        // The steady state: the token this options instance last obtained, until its refresh instant.
        protected override bool TryApply(State state, HttpRequestMessage request)
        {
            if (state.Remembered.Entry is not { } entry)
            {
                return false;
            }

            Apply(state, request, entry);
            return true;
        }

        protected override async ValueTask ApplyAsync(State state, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // The cached value is the whole header value ("Bearer …"): a hit allocates nothing for it.
            var entry = await state.Remembered.GetAsync(cache, state.CacheKey, state.Fetch, cancellationToken).ConfigureAwait(false);
            Apply(state, request, entry);
        }

        private void Apply(State state, HttpRequestMessage request, CachedCredential entry)
        {
            if (state.Profile?.Redirect(request.RequestUri!, entry) is { } target)
            {
                // The API's real address came with the token: the guard judges it as it judged the first.
                if (state.Guard.Check(target) is { } reason)
                {
                    throw Refused(target, reason);
                }

                request.RequestUri = target;
            }

            BearerHeader.Apply(request, entry);

            // A DPoP-bound token goes with a proof made for this very request (its method and URL).
            state.Dpop?.Prove(request, entry.Value);
        }

        // A proof is material too: it comes off with the token (on a redirect, before a retry).
        protected override void Remove(State state, HttpRequestMessage request)
        {
            BearerHeader.Remove(request);
            if (state.Dpop is not null)
            {
                request.Headers.Remove(DpopProof.Scheme);
            }
        }

        // A 401 is a rejection for every API; a profile adds what else may be one. A DPoP server may
        // hand out its next nonce on any answer: it is remembered here, where every response passes.
        protected override bool MayBeRejection(State state, HttpResponseMessage response)
        {
            if (state.Dpop is { } dpop && response.RequestMessage?.RequestUri is { } uri)
            {
                dpop.Nonces.Remember(uri, response);
            }

            return base.MayBeRejection(state, response) || (state.Profile is { } profile && profile.MayBeRejection(response));
        }

        protected override ValueTask<bool> IsRejectionAsync(State state, HttpResponseMessage response, CancellationToken cancellationToken) =>
            state.Profile is { } profile && !base.MayBeRejection(state, response)
                ? profile.IsRejectionAsync(response, cancellationToken)
                : base.IsRejectionAsync(state, response, cancellationToken);

        // The one place that decides what a rejection is and what it evicts.
        protected override async ValueTask<bool> OnRejectedAsync(
            State state, HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
        {
            // Not a rejection of the token: the API wants a proof with its nonce, and the token stays.
            if (state.Dpop is { } dpop && response.StatusCode == System.Net.HttpStatusCode.Unauthorized && dpop.Nonces.AskedFor(request.RequestUri!, response))
            {
                Log.DpopNonceRequested(Logger, Name, Kind, request.RequestUri!.IdnHost);
                return true;
            }

            if (!state.RetryOnUnauthorized)
            {
                return false;
            }
            await BearerHeader.EvictAsync(cache, state.CacheKey, state.Remembered, request, cancellationToken).ConfigureAwait(false);

            Log.TokenRejected(Logger, Name, Kind, request.RequestUri?.IdnHost ?? state.Host);
            return true;
        }
    }
}
