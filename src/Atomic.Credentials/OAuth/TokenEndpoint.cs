using System.Diagnostics;
using System.Net;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Diagnostics;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// One options instance's token requests: send, read, judge the answer, and turn it into a cache
/// entry. Every failure becomes a <see cref="CredentialException"/> with the status and OAuth error,
/// scrubbed of the secret; nothing is cached and the API request is not sent.
/// </summary>
internal sealed class TokenEndpoint
{
    private readonly string name;
    private readonly string kind;
    private readonly OAuthClientCredentialsOptions options;
    private readonly TokenRequestParameters parameters;
    private readonly TokenTransport transport;
    private readonly TimeProvider timeProvider;
    private readonly SecretScrubber scrubber;
    private readonly ILogger logger;
    private readonly OAuthApiProfile? profile;
    private readonly TokenEndpointGate gate;
    private readonly DpopProof? dpop;

    private const string UseNonceError = "use_dpop_nonce";

    // kind: the Type the credential was defined with (a preset's own), named by failures, logs and metrics.
    public TokenEndpoint(
        string name, string kind, OAuthClientCredentialsOptions options, TokenRequestParameters parameters, DpopProof? dpop,
        TokenTransport transport, TokenEndpointGate gate, TimeProvider timeProvider, ILogger logger)
    {
        this.dpop = dpop;
        this.gate = gate;
        profile = options.Profile;
        this.name = name;
        this.kind = kind;
        this.options = options;
        this.parameters = parameters;
        this.transport = transport;
        this.timeProvider = timeProvider;
        this.logger = logger;
        scrubber = new SecretScrubber(options.ClientSecret, options.Passphrase);
    }

    private string Host => parameters.Endpoint.IdnHost;

    /// <summary>Requests a token; the cache calls this with its own cancellation token.</summary>
    public async Task<CachedCredential> RequestAsync(CancellationToken cancellationToken)
    {
        using var activity = CredentialsTelemetry.ActivitySource.StartActivity("Atomic.Credentials.TokenRequest", ActivityKind.Client);
        activity?.SetTag("atomic.credential.name", name);
        activity?.SetTag("atomic.credential.kind", kind);
        activity?.SetTag("server.address", Host);
        if (await gate.PausedUntilAsync().ConfigureAwait(false) is { } pausedUntil)
        {
            // Nothing is sent and no caller waits: the cache keeps serving a still valid token meanwhile.
            activity?.SetStatus(ActivityStatusCode.Error, "paused");
            Log.TokenRequestPaused(logger, name, kind, Host, pausedUntil);
            throw new CredentialException(
                name, kind, $"The identity provider at {Host} asked to be left alone; the next token request is allowed at {pausedUntil:O}.", gate.LastStatus, null, null)
            {
                NextAttemptAt = pausedUntil,
            };
        }

        Log.TokenRequesting(logger, name, kind, Host, options.RequestScheme, options.ClientAuthentication);

        using var deadline = new CancellationTokenSource(options.TokenRequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var body = await SendAsync(linked.Token).ConfigureAwait(false);
            var entry = CredentialLifetime.ForToken((dpop is null ? BearerHeader.Prefix : DpopProof.Prefix) + body.AccessToken, body.ExpiresIn, options.CacheDuration, timeProvider.GetUtcNow());

            // An API built on the kind is told of each token with the whole response, and returns the entry to cache.
            entry = profile?.Received(entry, body) ?? entry;
            gate.Succeeded(entry.ExpiresAt);
            CredentialsTelemetry.MaterialRequests.Add(
                1, CredentialsTelemetry.CredentialTag(name), CredentialsTelemetry.KindTag(kind));
            Log.TokenReceived(logger, name, kind, entry.RefreshAt ?? entry.ExpiresAt, entry.ExpiresAt);
            return entry;
        }
        catch (OperationCanceledException exception) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Fail(activity, $"The token request to {Host} timed out after {options.TokenRequestTimeout.TotalSeconds:0.###} s (TokenRequestTimeout).", inner: exception);
        }
        catch (HttpRequestException exception)
        {
            throw Fail(activity, $"The identity provider at {Host} could not be reached: {scrubber.Scrub(exception.Message)}", inner: exception);
        }
        catch (IOException exception)
        {
            // The body is read after the headers arrived: a reset or a premature end surfaces here, not as an HttpRequestException.
            throw Fail(activity, $"The connection to the identity provider at {Host} broke while the token response was read: {scrubber.Scrub(exception.Message)}", inner: exception);
        }
        catch (InvalidOperationException exception)
        {
            throw Fail(activity, $"The token request to {Host} could not be sent: {scrubber.Scrub(exception.Message)}", inner: exception);
        }
        catch (CredentialException exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Error ?? "token request failed");
            throw;
        }
    }

    private async Task<TokenResponse> SendAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = parameters.Create();
            dpop?.Prove(request, authorization: null);
            using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                return Judge(response, null, null);
            }

            TokenResponse? body = null;
            string? unreadable = null;
            try
            {
                body = await TokenResponseReader.ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException exception)
            {
                unreadable = exception.Message;
            }

            // RFC 9449 §8: any answer may carry the endpoint's next nonce; a 400 use_dpop_nonce asks
            // for it, and is asked once more with a new request (and a new client assertion).
            if (dpop is not null && dpop.Nonces.Remember(parameters.Endpoint, response)
                && attempt == 1 && response.StatusCode == HttpStatusCode.BadRequest && body?.Error == UseNonceError)
            {
                continue;
            }

            return Judge(response, body, unreadable);
        }
    }

    // What the answer means: a token, or a CredentialException saying why not.
    private TokenResponse Judge(HttpResponseMessage response, TokenResponse? body, string? unreadable)
    {
        var status = response.StatusCode;
        if ((int)status is >= 300 and < 400)
        {
            throw Fail(null, "The identity provider answered with a redirect; token requests never follow one, so the secret goes nowhere else. Set IdentityUrl to the final token endpoint.", status);
        }

        if (!response.IsSuccessStatusCode)
        {
            // A 429 or 5xx closes the gate: until the instant it names, nobody asks again.
            if (gate.Refused(status, response.Headers.RetryAfter, options) is { } next)
            {
                var refused = Fail(null, $"The identity provider refused the token request; the next token request is allowed at {next:O}.", status, body?.Error, body?.ErrorDescription);
                refused.NextAttemptAt = next;
                throw refused;
            }

            throw Fail(null, "The identity provider refused the token request.", status, body?.Error, body?.ErrorDescription);
        }

        if (body is null)
        {
            throw Fail(null, $"The token response could not be read: {unreadable}.", status);
        }

        if (body.Error is not null)
        {
            throw Fail(null, "The identity provider answered with an error.", status, body.Error, body.ErrorDescription);
        }

        if (string.IsNullOrEmpty(body.AccessToken))
        {
            throw Fail(null, "The token response has no access_token.", status);
        }

        if (body.AccessToken.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            // A space, CR or LF would split or forge the Authorization header.
            throw Fail(null, "The access_token contains characters an Authorization header cannot carry.", status);
        }

        if (dpop is not null)
        {
            // RFC 9449 §5: a bound token says so; a Bearer one would be usable by whoever holds it, which DPoP is on to prevent.
            if (!DpopProof.Scheme.Equals(body.TokenType, StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(null, $"Dpop is on but the identity provider answered with a token of type '{scrubber.Scrub(body.TokenType ?? "(none)")}', not a DPoP-bound one; enable DPoP for this client at the provider, or turn Dpop off.", status);
            }
        }
        // RFC 6749 §5.1: case-insensitive; an absent type is taken as Bearer, what providers mean by it.
        else if (body.TokenType is not null && !body.TokenType.Equals(BearerHeader.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw Fail(null, $"The token type '{scrubber.Scrub(body.TokenType)}' is not supported; only Bearer tokens are.", status);
        }

        return body;
    }

    private CredentialException Fail(
        Activity? activity, string message, HttpStatusCode? status = null, string? error = null, string? description = null, Exception? inner = null)
    {
        error = scrubber.Scrub(error);
        Log.TokenRequestFailed(logger, name, kind, Host, (int?)status, error);
        gate.Failed(status is { } code ? $"{(int)code} {error}".TrimEnd() : inner?.GetType().Name ?? "unreadable response");
        activity?.SetStatus(ActivityStatusCode.Error, error ?? "token request failed");
        return new CredentialException(
            name, kind, message, status, error, scrubber.Scrub(description), inner);
    }
}
