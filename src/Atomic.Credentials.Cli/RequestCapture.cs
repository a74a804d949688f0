using System.Diagnostics;
using System.Net;

namespace Atomic.Credentials.Cli;

/// <summary>
/// What one request looked like before the credential handler and as it reached the wire, with the
/// time the credential took (obtaining a token, JWT or signature) and the time of the exchange.
/// </summary>
internal sealed class RequestCapture
{
    public static readonly HttpRequestOptionsKey<RequestCapture> Key = new("atomic-credentials-cli.capture");

    /// <summary>When true the primary handler answers 204 itself and sends nothing.</summary>
    public bool DryRun { get; init; }

    public Uri? UriBefore { get; private set; }

    public List<KeyValuePair<string, string>> HeadersBefore { get; } = [];

    public Uri? UriSent { get; private set; }

    public string? MethodSent { get; private set; }

    public List<KeyValuePair<string, string>> HeadersSent { get; } = [];

    public TimeSpan CredentialTime { get; private set; }

    public TimeSpan ExchangeTime { get; private set; }

    private long started;
    private long reachedWire;

    public void Before(HttpRequestMessage request)
    {
        started = Stopwatch.GetTimestamp();
        UriBefore = request.RequestUri;
        HeadersBefore.Clear();
        HeadersBefore.AddRange(Flatten(request));
    }

    public void AtWire(HttpRequestMessage request)
    {
        reachedWire = Stopwatch.GetTimestamp();
        CredentialTime = Stopwatch.GetElapsedTime(started, reachedWire);
        UriSent = request.RequestUri;
        MethodSent = request.Method.Method;
        HeadersSent.Clear();
        HeadersSent.AddRange(Flatten(request));
    }

    public void Answered() => ExchangeTime = Stopwatch.GetElapsedTime(reachedWire);

    /// <summary>The names of the headers the credential set or changed: the ones to mask.</summary>
    public HashSet<string> CredentialHeaders()
    {
        var before = HeadersBefore.ToLookup(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in HeadersSent)
        {
            if (!before[name].Contains(value))
            {
                set.Add(name);
            }
        }

        return set;
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(HttpRequestMessage request)
    {
        foreach (var header in request.Headers)
        {
            yield return new(header.Key, string.Join(", ", header.Value));
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                yield return new(header.Key, string.Join(", ", header.Value));
            }
        }
    }
}

/// <summary>Outermost handler: records the request as the caller built it, before any credential.</summary>
internal sealed class CaptureBeforeHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(RequestCapture.Key, out var capture))
        {
            capture.Before(request);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// The primary handler: records the request as it goes to the wire, then sends it through
/// <paramref name="network"/>, or, for a dry run or a check, answers 204 itself and sends nothing.
/// </summary>
internal sealed class CaptureAtWireHandler(HttpMessageHandler network) : DelegatingHandler(network)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(RequestCapture.Key, out var capture);
        capture?.AtWire(request);
        if (capture is { DryRun: true })
        {
            capture.Answered();
            return new HttpResponseMessage(HttpStatusCode.NoContent) { RequestMessage = request };
        }

        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            capture?.Answered();
        }
    }
}
