using System.Diagnostics.CodeAnalysis;
using System.Net;
using Atomic.Credentials.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>
/// The four steps every credential handler takes — guard, obtain, apply, send — plus what
/// keeps material on its host: redirects are followed here, and the credential is reapplied only
/// on the same origin. A kind supplies only how to derive its state, apply and remove itself.
/// </summary>
internal abstract class CredentialPipeline<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties)] TOptions, TState>
    : Credential
    where TOptions : CredentialOptions
    where TState : CredentialState
{
    private readonly IOptionsMonitor<TOptions> monitor;
    private readonly bool optionsFixed;
    private readonly ILogger? traceLogger;
    private readonly Lock snapshotGate = new();
    private Snapshot? snapshot;

    protected CredentialPipeline(string name, string kind, IOptionsMonitor<TOptions> monitor, ILogger logger)
    {
        Name = name;
        Kind = kind;
        this.monitor = monitor;
        optionsFixed = monitor is StaticOptionsMonitor<TOptions>;
        Logger = logger;

        // A logger that can never log is not asked per request whether it would.
        traceLogger = logger is NullLogger ? null : logger;
    }

    public override string Name { get; }

    public override string Kind { get; }

    public override ILogger Logger { get; }

    /// <summary>
    /// The state for the options in force now. Options given to a handler's constructor never
    /// change, so its state is not compared with them per request. A reload brings new options
    /// instances for every name: the state is rebuilt only when the new instance defines another
    /// credential (<see cref="OptionsFingerprint"/>), so an unchanged credential keeps its
    /// remembered token and what it learned.
    /// </summary>
    public TState Current
    {
        get
        {
            var current = snapshot;
            if (current is not null && (optionsFixed || ReferenceEquals(current.Options, monitor.Get(Name))))
            {
                return current.State;
            }

            return Reload();
        }
    }

    private TState Reload()
    {
        lock (snapshotGate)
        {
            var options = monitor.Get(Name);
            var current = snapshot;
            if (current is not null && ReferenceEquals(current.Options, options))
            {
                return current.State;
            }

            var fingerprint = OptionsFingerprint.Of(options);
            var state = current is not null && OptionsFingerprint.Same(current.Fingerprint, fingerprint) ? current.State : CreateState(options);
            snapshot = new Snapshot(options, fingerprint, state);
            return state;
        }
    }

    /// <summary>Steps 1 to 4 for one request; <paramref name="send"/> is the inner handler, which follows no redirects when <paramref name="redirects"/> says to follow them here.</summary>
    public override Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, SendDelegate send, RedirectPolicy redirects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var state = Current;
        if (state.Guard.Check(request.RequestUri) is { } refusal)
        {
            throw Refused(request.RequestUri, refusal);
        }

        if (!TryApply(state, request))
        {
            var applying = ApplyAsync(state, request, cancellationToken);
            if (!applying.IsCompletedSuccessfully)
            {
                return SendAfterApplyAsync(state, applying, request, redirects, send, cancellationToken);
            }

            applying.GetAwaiter().GetResult();
        }

        if (traceLogger is not null || CredentialsTelemetry.RequestsApplied.Enabled)
        {
            Applied(request);
        }

        var sending = send(request, cancellationToken);

        // Each step above is decided in line in its common case (https with no allow-list, nothing
        // listening), and the inner handler's own task is returned as is unless the answer is one we
        // act on (a rejection or a redirect): the four steps cost the header write and a few field reads.
        return sending.IsCompletedSuccessfully && !NeedsFollowUp(state, sending.Result, request, redirects)
            ? sending
            : FollowUpAsync(state, request, sending, redirects, send, cancellationToken);
    }

    /// <summary>Derives what the per-request path needs from one options instance.</summary>
    protected abstract TState CreateState(TOptions options);

    /// <summary>
    /// Steps 2 and 3 when the material is at hand (a precomputed header, or a token remembered from
    /// the cache): put it on the request and return true, without an async step. False sends the
    /// request through <see cref="ApplyAsync"/>. A kind whose material is always at hand implements
    /// only this.
    /// </summary>
    protected virtual bool TryApply(TState state, HttpRequestMessage request) => false;

    /// <summary>
    /// Steps 2 and 3: obtain the material and put it on this request. A kind that obtains material
    /// (from a cache, by signing) overrides it; by default it is <see cref="TryApply"/>, which must then
    /// always succeed.
    /// </summary>
    protected virtual ValueTask ApplyAsync(TState state, HttpRequestMessage request, CancellationToken cancellationToken) =>
        TryApply(state, request)
            ? ValueTask.CompletedTask
            : throw new InvalidOperationException($"{GetType().Name} overrides neither ApplyAsync nor a TryApply that always applies.");

    /// <summary>Takes off this request everything <see cref="ApplyAsync"/> put on it.</summary>
    protected abstract void Remove(TState state, HttpRequestMessage request);

    /// <summary>
    /// The server answered 401: evict the material and return true to retry once with new material.
    /// </summary>
    protected virtual ValueTask<bool> OnRejectedAsync(
        TState state, HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);

    /// <summary>
    /// Whether <paramref name="response"/> may say the material was rejected: a 401 by default. A kind
    /// whose API reports rejection otherwise (Marketo: a 200 with error 601 in its body) overrides it
    /// and <see cref="IsRejectionAsync"/>. Synchronous and cheap: it runs on every response.
    /// </summary>
    protected virtual bool MayBeRejection(TState state, HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Unauthorized;

    /// <summary>Decides a response <see cref="MayBeRejection"/> picked out, e.g. by reading a bounded body.</summary>
    protected virtual ValueTask<bool> IsRejectionAsync(TState state, HttpResponseMessage response, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);

    /// <summary>Whether a request body can be sent a second time.</summary>
    protected static bool IsReplayable(HttpContent? content) => RedirectFollower.IsReplayable(content);

    private async Task<HttpResponseMessage> SendAfterApplyAsync(
        TState state, ValueTask applying, HttpRequestMessage request, RedirectPolicy redirects, SendDelegate send,
        CancellationToken cancellationToken)
    {
        await applying.ConfigureAwait(false);
        Applied(request);
        return await FollowUpAsync(state, request, send(request, cancellationToken), redirects, send, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> FollowUpAsync(
        TState state, HttpRequestMessage request, Task<HttpResponseMessage> sending, RedirectPolicy redirects, SendDelegate send,
        CancellationToken cancellationToken)
    {
        var response = await sending.ConfigureAwait(false);
        if (IsReplayable(request.Content) && MayBeRejection(state, response)
            && await IsRejectionAsync(state, response, cancellationToken).ConfigureAwait(false)
            && await OnRejectedAsync(state, request, response, cancellationToken).ConfigureAwait(false))
        {
            Log.RetryingAfterRejection(Logger, Name, Kind, (int)response.StatusCode);
            response.Dispose();
            Remove(state, request);
            await ApplyAsync(state, request, cancellationToken).ConfigureAwait(false);
            response = await send(request, cancellationToken).ConfigureAwait(false);
        }

        return redirects.Follow && RedirectFollower.IsRedirect(response.StatusCode)
            ? await RedirectFollower.FollowAsync(new Hops(this, state), request, response, redirects.MaxRedirects, send, cancellationToken).ConfigureAwait(false)
            : response;
    }

    private void Applied(HttpRequestMessage request)
    {
        if (CredentialsTelemetry.RequestsApplied.Enabled)
        {
            CredentialsTelemetry.RequestsApplied.Add(1, CredentialsTelemetry.CredentialTag(Name), CredentialsTelemetry.KindTag(Kind));
        }

        if (traceLogger is not null && traceLogger.IsEnabled(LogLevel.Trace))
        {
            Log.CredentialApplied(traceLogger, Name, Kind, request.Method, request.RequestUri!.IdnHost);
        }
    }

    private bool NeedsFollowUp(TState state, HttpResponseMessage response, HttpRequestMessage request, RedirectPolicy redirects) =>
        (MayBeRejection(state, response) && IsReplayable(request.Content))
        || (redirects.Follow && RedirectFollower.IsRedirect(response.StatusCode));

    /// <inheritdoc />
    public override CredentialException Refused(Uri? uri, string reason, bool presigning = false)
    {
        var host = uri is { IsAbsoluteUri: true } ? uri.IdnHost : "(none)";
        CredentialsTelemetry.RequestsRefused.Add(1, CredentialsTelemetry.CredentialTag(Name), CredentialsTelemetry.KindTag(Kind));
        Log.RequestRefused(Logger, Name, Kind, host, reason);
        return new CredentialException(
            Name,
            Kind,
            presigning
                ? $"Refused to presign a URL for '{host}': {reason}."
                : $"Refused to send the credential to '{host}': {reason}. The request was not sent.");
    }

    /// <summary>The follower's view of this pipeline with one state: the credential a redirect may carry.</summary>
    private sealed class Hops(CredentialPipeline<TOptions, TState> pipeline, TState state) : IRedirectHops
    {
        public string Name => pipeline.Name;

        public string Kind => pipeline.Kind;

        public ILogger Logger => pipeline.Logger;

        public bool Allows(Uri target) => state.Guard.Check(target) is null;

        public ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            pipeline.ApplyAsync(state, request, cancellationToken);

        public void Remove(HttpRequestMessage request) => pipeline.Remove(state, request);
    }

    private sealed record Snapshot(TOptions Options, byte[] Fingerprint, TState State);
}

internal delegate Task<HttpResponseMessage> SendDelegate(HttpRequestMessage request, CancellationToken cancellationToken);
