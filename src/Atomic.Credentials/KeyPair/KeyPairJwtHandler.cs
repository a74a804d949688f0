using System.Globalization;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Diagnostics;
using Atomic.Credentials.Internal;
using Atomic.Credentials.KeyPair;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials;

/// <summary>
/// Adds <c>Authorization: Bearer &lt;jwt&gt;</c> with a JWT signed by the configured private key.
/// The key is loaded once per options instance; a JWT is reused from <see cref="ICredentialCache"/>
/// for <see cref="KeyPairOptions.CacheLifetimeRatio"/> of its lifetime and then replaced in the
/// background; a <c>401</c> evicts it and retries once with a new one.
/// </summary>
public sealed class KeyPairJwtHandler : DelegatingHandler
{
    private readonly Pipeline pipeline;
    private readonly SendDelegate sendInner;
    private readonly CredentialBinding binding = new();
    private readonly HandlerCache cache;

    /// <summary>Creates a handler without dependency injection.</summary>
    /// <param name="options">The credential; validated at once (the key is loaded and checked).</param>
    /// <param name="name">The credential's name in errors and logs.</param>
    /// <param name="cache">Where JWTs are kept; a private in-memory cache, disposed with this handler, when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    public KeyPairJwtHandler(
        KeyPairOptions options,
        string? name = null,
        ICredentialCache? cache = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
        : this(
            name ?? KeyPairOptions.KindName,
            OptionsGate.Fixed(new KeyPairOptionsValidator(), name ?? KeyPairOptions.KindName, options),
            HandlerCache.For(cache, timeProvider, loggerFactory),
            timeProvider ?? TimeProvider.System,
            loggerFactory)
    {
    }

    internal KeyPairJwtHandler(
        string name, IOptionsMonitor<KeyPairOptions> monitor, HandlerCache cache, TimeProvider timeProvider, ILoggerFactory? loggerFactory)
    {
        var logger = CredentialLoggers.Create<KeyPairJwtHandler>(loggerFactory);
        this.cache = cache;
        pipeline = new Pipeline(name, monitor, cache.Cache, timeProvider, logger);
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
        public State(string name, KeyPairOptions options, TimeProvider timeProvider)
            : base(options)
        {
            Remembered = new RememberedCredential(timeProvider);
            try
            {
                Key = KeyPairSigningKey.Load(options.PrivateKey, options.Passphrase, options.Algorithm, options.KeyId);
            }
            catch (SigningKeyException e)
            {
                // Validated options fail here only when a key file changed since start-up.
                throw new CredentialException(name, KeyPairOptions.KindName, e.Message, e);
            }

            // Validated already: this only turns the claims into the types the JWT writer takes.
            var extra = ClaimValues.Validate(new OptionsErrors(name, KeyPairOptions.KindName), options.Claims) ?? new Dictionary<string, object>();
            Claims = new JwtClaims(
                options.Issuer, options.Subject, options.AllAudiences(), options.Lifetime, options.TokenType, extra);
            Ratio = options.CacheLifetimeRatio;

            // Every input of the JWT: a rotated key or a changed claim is a new entry at once.
            CacheKey = Internal.CacheKey.Create(
                KeyPairOptions.KindName, name, Key.PublicKeyThumbprint, Key.Algorithm, Key.KeyId, Claims.Issuer, Claims.Subject,
                string.Join('\n', Claims.Audiences), Claims.Lifetime.Ticks.ToString(CultureInfo.InvariantCulture),
                Ratio.ToString("R", CultureInfo.InvariantCulture), Claims.TokenType, ClaimValues.Describe(extra));
        }

        public KeyPairSigningKey Key { get; }

        public JwtClaims Claims { get; }

        public double Ratio { get; }

        public string CacheKey { get; }

        public RememberedCredential Remembered { get; }

        public override void Release() => Remembered.Forget();

        /// <summary>The cache's factory for this state: signs a new JWT.</summary>
        public Func<CancellationToken, Task<CachedCredential>> Sign { get; set; } = null!;
    }

    internal sealed class Pipeline(
        string name, IOptionsMonitor<KeyPairOptions> monitor, ICredentialCache cache, TimeProvider timeProvider, ILogger logger)
        : CredentialPipeline<KeyPairOptions, State>(name, KeyPairOptions.KindName, monitor, logger)
    {
        protected override State CreateState(KeyPairOptions options)
        {
            var state = new State(Name, options, timeProvider);

            // Made once per options instance: a lambda at the call site would allocate on every request.
            state.Sign = _ => Task.FromResult(Sign(state));
            return state;
        }

        // The steady state: the JWT this options instance last obtained, until its refresh instant.
        protected override bool TryApply(State state, HttpRequestMessage request)
        {
            if (state.Remembered.Entry is not { } entry)
            {
                return false;
            }

            BearerHeader.Apply(request, entry);
            return true;
        }

        protected override async ValueTask ApplyAsync(State state, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // The cached value is the whole header value ("Bearer …"): a hit allocates nothing for it.
            var entry = await state.Remembered.GetAsync(cache, state.CacheKey, state.Sign, cancellationToken).ConfigureAwait(false);
            BearerHeader.Apply(request, entry);
        }

        protected override void Remove(State state, HttpRequestMessage request) => BearerHeader.Remove(request);

        protected override async ValueTask<bool> OnRejectedAsync(
            State state, HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
        {
            await BearerHeader.EvictAsync(cache, state.CacheKey, state.Remembered, request, cancellationToken).ConfigureAwait(false);

            return true;
        }

        private CachedCredential Sign(State state)
        {
            using var activity = CredentialsTelemetry.ActivitySource.StartActivity("atomic.credentials.sign");
            activity?.SetTag("atomic.credential.name", Name);
            activity?.SetTag("atomic.credential.kind", Kind);
            activity?.SetTag("atomic.credential.algorithm", state.Key.Algorithm);
            try
            {
                var jwt = JwtFactory.Create(state.Key, state.Claims, timeProvider.GetUtcNow());
                CredentialsTelemetry.MaterialRequests.Add(1, CredentialsTelemetry.CredentialTag(Name), CredentialsTelemetry.KindTag(Kind));
                Log.JwtSigned(Logger, Name, Kind, state.Key.Algorithm, jwt.ExpiresAt);

                return CredentialLifetime.ForJwt(BearerHeader.Prefix + jwt.Token, jwt.IssuedAt, jwt.ExpiresAt, state.Ratio);
            }
            catch (Exception e) when (e is not CredentialException)
            {
                // The cache counts the failure (atomic.credentials.failures); counting here too would double it.
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
                Log.JwtSigningFailed(Logger, Name, Kind, e.GetType().Name);
                throw new CredentialException(Name, Kind, $"Could not sign a JWT ({e.GetType().Name}).", e);
            }
        }
    }
}
