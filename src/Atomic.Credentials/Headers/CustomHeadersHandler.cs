using Atomic.Credentials.Headers;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials;

/// <summary>
/// Adds the configured headers to each request, replacing same-named headers already on it.
/// </summary>
public sealed class CustomHeadersHandler : DelegatingHandler
{
    private readonly Pipeline pipeline;
    private readonly SendDelegate sendInner;
    private readonly CredentialBinding binding = new();

    /// <summary>Creates a handler without dependency injection.</summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors and logs.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    public CustomHeadersHandler(CustomHeadersOptions options, string? name = null, ILoggerFactory? loggerFactory = null)
        : this(
            name ?? CustomHeadersOptions.KindName,
            OptionsGate.Fixed(new CustomHeadersOptionsValidator(), name ?? CustomHeadersOptions.KindName, options),
            loggerFactory)
    {
    }

    internal CustomHeadersHandler(string name, IOptionsMonitor<CustomHeadersOptions> monitor, ILoggerFactory? loggerFactory)
    {
        pipeline = new Pipeline(name, monitor, CredentialLoggers.Create<CustomHeadersHandler>(loggerFactory));
        sendInner = base.SendAsync;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        pipeline.SendAsync(request, sendInner, binding.Redirects(this, pipeline, request), cancellationToken);

    internal sealed class State(CustomHeadersOptions options) : CredentialState(options)
    {
        public KeyValuePair<string, string>[] Headers { get; } = [.. options.Headers];
    }

    internal sealed class Pipeline(string name, IOptionsMonitor<CustomHeadersOptions> monitor, ILogger logger)
        : CredentialPipeline<CustomHeadersOptions, State>(name, CustomHeadersOptions.KindName, monitor, logger)
    {
        protected override State CreateState(CustomHeadersOptions options) => new(options);

        protected override bool TryApply(State state, HttpRequestMessage request)
        {
            HeaderNames.Set(request, state.Headers);
            return true;
        }

        protected override void Remove(State state, HttpRequestMessage request)
        {
            foreach (var (header, _) in state.Headers)
            {
                request.Headers.Remove(header);
            }
        }
    }
}
