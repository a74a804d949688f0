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

    /// <summary>Creates a handler without dependency injection.</summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors and logs.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    public CustomHeadersHandler(CustomHeadersOptions options, string? name = null, ILoggerFactory? loggerFactory = null)
        : this(
            name ?? CustomHeadersOptions.KindName,
            new StaticOptionsMonitor<CustomHeadersOptions>(OptionsGate.Validated(new CustomHeadersOptionsValidator(), name ?? CustomHeadersOptions.KindName, options)),
            loggerFactory)
    {
    }

    internal CustomHeadersHandler(string name, IOptionsMonitor<CustomHeadersOptions> monitor, ILoggerFactory? loggerFactory)
    {
        pipeline = new Pipeline(name, monitor, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<CustomHeadersHandler>());
        sendInner = base.SendAsync;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        pipeline.SendAsync(this, request, sendInner, cancellationToken);

    private sealed class State : CredentialState
    {
        public State(CustomHeadersOptions options)
            : base(options)
        {
            // Names and values in two arrays, walked by index: the per-request loop does nothing else.
            KeyValuePair<string, string>[] pairs = [.. options.Headers];
            Names = [.. pairs.Select(pair => pair.Key)];
            Values = [.. pairs.Select(pair => pair.Value)];
        }

        public string[] Names { get; }

        public string[] Values { get; }
    }

    private sealed class Pipeline(string name, IOptionsMonitor<CustomHeadersOptions> monitor, ILogger logger)
        : CredentialPipeline<CustomHeadersOptions, State>(name, CustomHeadersOptions.KindName, monitor, logger)
    {
        protected override State CreateState(CustomHeadersOptions options) => new(options);

        protected override ValueTask ApplyAsync(State state, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Most requests carry no header yet: then there is nothing to replace and no lookup to pay for.
            var headers = request.Headers;
            var names = state.Names;
            var values = state.Values;
            if (headers.NonValidated.Count > 0)
            {
                foreach (var name in names)
                {
                    headers.Remove(name);
                }
            }

            for (var i = 0; i < names.Length; i++)
            {
                headers.TryAddWithoutValidation(names[i], values[i]);
            }

            return ValueTask.CompletedTask;
        }

        protected override void Remove(State state, HttpRequestMessage request)
        {
            foreach (var name in state.Names)
            {
                request.Headers.Remove(name);
            }
        }
    }
}
