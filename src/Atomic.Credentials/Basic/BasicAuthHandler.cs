using System.Text;
using Atomic.Credentials.Basic;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials;

/// <summary>
/// Adds <c>Authorization: Basic …</c> (RFC 7617, UTF-8) to each request. The header is computed
/// once per options instance; a reloaded password is used from the next request on.
/// </summary>
public sealed class BasicAuthHandler : DelegatingHandler
{
    private readonly Pipeline pipeline;
    private readonly SendDelegate sendInner;
    private readonly CredentialBinding binding = new();

    /// <summary>Creates a handler without dependency injection.</summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors and logs.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    public BasicAuthHandler(BasicAuthOptions options, string? name = null, ILoggerFactory? loggerFactory = null)
        : this(
            name ?? BasicAuthOptions.KindName,
            OptionsGate.Fixed(new BasicAuthOptionsValidator(), name ?? BasicAuthOptions.KindName, options),
            loggerFactory)
    {
    }

    internal BasicAuthHandler(string name, IOptionsMonitor<BasicAuthOptions> monitor, ILoggerFactory? loggerFactory)
    {
        pipeline = new Pipeline(name, monitor, CredentialLoggers.Create<BasicAuthHandler>(loggerFactory));
        sendInner = base.SendAsync;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        pipeline.SendAsync(request, sendInner, binding.Redirects(this, pipeline, request), cancellationToken);

    internal sealed class State(BasicAuthOptions options) : CredentialState(options)
    {
        public string Header { get; } =
            HeaderNames.BasicPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}"));
    }

    internal sealed class Pipeline(string name, IOptionsMonitor<BasicAuthOptions> monitor, ILogger logger)
        : CredentialPipeline<BasicAuthOptions, State>(name, BasicAuthOptions.KindName, monitor, logger)
    {
        protected override State CreateState(BasicAuthOptions options) => new(options);

        protected override bool TryApply(State state, HttpRequestMessage request)
        {
            HeaderNames.Set(request, HeaderNames.Authorization, state.Header);
            return true;
        }

        protected override void Remove(State state, HttpRequestMessage request) =>
            request.Headers.Remove(HeaderNames.Authorization);
    }
}
