using System.Net;
using Atomic.Credentials.Tests.OAuth;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Integrations;

/// <summary>
/// A preset registered from configuration as a user would, with the token endpoint and the API
/// answered in memory and every request recorded (with its body, read before it is disposed).
/// </summary>
internal sealed class PresetHost : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    public PresetHost(
        Dictionary<string, string?> credential,
        Func<HttpRequestMessage, int, HttpResponseMessage> tokenEndpoint,
        Func<HttpRequestMessage, int, HttpResponseMessage> api,
        ILoggerFactory? loggers = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(credential.ToDictionary(pair => "AtomicCredentials:preset:" + pair.Key, pair => pair.Value))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        if (loggers is not null)
        {
            services.AddSingleton(loggers);
            services.ConfigureHttpClientDefaults(client => client.RedactLoggedHeaders(_ => false));
        }

        services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => Recording(TokenRequests, tokenEndpoint));
        services.AddHttpClient("preset").AddAtomicCredentialHandler("preset")
            .ConfigurePrimaryHttpMessageHandler(() => Recording(ApiRequests, api));
        provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public List<Recorded> TokenRequests { get; } = [];

    public List<Recorded> ApiRequests { get; } = [];

    public IServiceProvider Services => provider;

    public HttpClient Client => provider.GetRequiredService<IHttpClientFactory>().CreateClient("preset");

    public ValueTask DisposeAsync() => provider.DisposeAsync();

    /// <summary>
    /// Sends one request through <paramref name="credential"/> whose token request the identity
    /// provider refuses: what the caller gets, the token failure's log line, and everything printed.
    /// </summary>
    public static async Task<TokenFailure> RefusedTokenAsync(Dictionary<string, string?> credential, string requestUri)
    {
        using var telemetry = new TelemetryRecorder();
        using var loggers = telemetry.LoggerFactory();
        await using var host = new PresetHost(
            credential,
            (_, _) => OAuthTestKit.Json("""{"error":"invalid_client","error_description":"bad client"}""", HttpStatusCode.Unauthorized),
            (_, _) => new HttpResponseMessage(HttpStatusCode.OK),
            loggers);

        var error = Assert.ThrowsAsync<CredentialException>(() => host.Client.GetAsync(requestUri))!;
        var failed = telemetry.Logs.GetSnapshot().Single(record => record.Id.Name == "TokenRequestFailed");
        return new TokenFailure(error, failed.Message, failed.StructuredState!.Single(pair => pair.Key == "Kind").Value, telemetry.Everything());
    }

    private static StubHandler Recording(List<Recorded> log, Func<HttpRequestMessage, int, HttpResponseMessage> respond) =>
        new(async (request, cancellationToken) =>
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            int count;
            lock (log)
            {
                log.Add(new Recorded(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(),
                    request.Content?.Headers.ContentType?.ToString(), body));
                count = log.Count;
            }

            return respond(request, count);
        });

    internal sealed record TokenFailure(CredentialException Error, string LogLine, string? LoggedKind, IReadOnlyList<string> Printed);

    internal sealed record Recorded(HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, string? Body);
}
