using System.Net;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.IntegrationTests.OAuth;

/// <summary>
/// The DI path over real sockets: token requests go through the named client
/// <see cref="OAuthClientCredentialsHandler.TokenHttpClientName"/>, the Query scheme reaches a loopback
/// Kestrel token endpoint that checks the merged query exactly, and nothing secret reaches the logs.
/// </summary>
public sealed class OAuthLoopbackTests
{
    private const string QuerySecret = "q-s3cr3t/+ &=%";
    private const string ExpectedQuery =
        "?tenant=t1&keep=a%20b&grant_type=client_credentials&client_id=query-client"
        + "&client_secret=q-s3cr3t%2F%2B%20%26%3D%25&scope=api.read&account_id=123";

    private int tokenRequests;
    private LoopbackServer tokenEndpoint = null!;
    private LoopbackServer api = null!;

    [SetUp]
    public async Task SetUp()
    {
        tokenRequests = 0;
        tokenEndpoint = await LoopbackServer.StartAsync(app => ((IApplicationBuilder)app).Run(async context =>
        {
            var number = Interlocked.Increment(ref tokenRequests);
            var query = context.Request.QueryString.Value;
            if (context.Request.Method != "GET" || context.Request.Path != "/identity/oauth/token" || query != ExpectedQuery)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsJsonAsync(new { error = "invalid_request", error_description = $"unexpected {context.Request.Method} {context.Request.Path}{query}" });
                return;
            }

            await context.Response.WriteAsJsonAsync(new { access_token = $"query-token-{number}", token_type = "bearer", expires_in = "3600" });
        }));
        api = await LoopbackServer.StartAsync(app => ((IApplicationBuilder)app).Run(context =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            context.Response.StatusCode = authorization.StartsWith("Bearer query-token-", StringComparison.Ordinal) ? 200 : 401;
            return context.Response.WriteAsync(authorization);
        }));
    }

    [TearDown]
    public async Task TearDown()
    {
        await tokenEndpoint.DisposeAsync();
        await api.DisposeAsync();
    }

    [Test]
    public async Task Query_scheme_through_IHttpClientFactory_reaches_a_kestrel_token_endpoint_with_the_exact_merged_query_and_logs_no_secret()
    {
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddAtomicCredential("crm", (OAuthClientCredentialsOptions o) =>
        {
            o.IdentityUrl = new Uri(tokenEndpoint.Address, "/identity/oauth/token?tenant=t1&scope=from-url&keep=a%20b").ToString();
            o.RequestScheme = OAuthRequestScheme.Query;
            o.ClientId = "query-client";
            o.ClientSecret = QuerySecret;
            o.Scope = "api.read";
            o.AdditionalParameters["account_id"] = "123";
        });
        var tokenClientConfigured = false;
        services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() =>
            {
                tokenClientConfigured = true;
                return new SocketsHttpHandler();
            });
        services.AddHttpClient("crm-api", c => c.BaseAddress = api.Address).AddAtomicCredentialHandler("crm");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("crm-api");

        var first = await client.GetAsync("/v1/things");
        var second = await client.GetAsync("/v1/things");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
            Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo("Bearer query-token-1"));
            Assert.That(tokenRequests, Is.EqualTo(1));
            Assert.That(tokenClientConfigured, Is.True, "token requests use the named client, so users can configure proxies there");
        });

        var logged = string.Join("\n", logs.GetSnapshot().Select(record => record.Message + " " + record.Exception));
        Assert.Multiple(() =>
        {
            Assert.That(logged, Does.Contain("requesting a token"), "the token request was logged, at all");
            Assert.That(logged, Does.Contain("/identity/oauth/token?*"), "IHttpClientFactory's own logging redacts the query");
            Assert.That(logged, Does.Not.Contain("q-s3cr3t"));
            Assert.That(logged, Does.Not.Contain("query-token-1"));
        });
    }

    [Test]
    public async Task A_rotated_secret_is_used_from_the_next_token_on()
    {
        var secrets = new List<string>();
        await using var rotating = await LoopbackServer.StartAsync(app => ((IApplicationBuilder)app).Run(async context =>
        {
            var form = await context.Request.ReadFormAsync();
            lock (secrets)
            {
                secrets.Add(form["client_secret"].ToString());
            }

            await context.Response.WriteAsJsonAsync(new { access_token = $"query-token-for-{form["client_secret"]}", token_type = "Bearer", expires_in = 3600 });
        }));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Credentials:crm:Type"] = "OAuthClientCredentials",
            ["Credentials:crm:IdentityUrl"] = new Uri(rotating.Address, "/token").ToString(),
            ["Credentials:crm:ClientId"] = "id",
            ["Credentials:crm:ClientSecret"] = "old-secret",
        }).Build();
        var services = new ServiceCollection();
        services.AddAtomicCredentials(configuration.GetSection("Credentials"));
        services.AddHttpClient("crm-api", c => c.BaseAddress = api.Address).AddAtomicCredentialHandler("crm");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("crm-api");

        var before = await client.GetStringAsync("/");
        configuration["Credentials:crm:ClientSecret"] = "new-secret";
        configuration.Reload();
        var after = await client.GetStringAsync("/");

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo("Bearer query-token-for-old-secret"));
            Assert.That(after, Is.EqualTo("Bearer query-token-for-new-secret"));
            Assert.That(secrets, Is.EqualTo(new[] { "old-secret", "new-secret" }));
        });
    }

    [Test]
    public void Bad_options_fail_at_start_up_naming_the_credential_and_the_field()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAtomicCredential("crm", (OAuthClientCredentialsOptions o) =>
        {
            o.IdentityUrl = "http://login.example.com/token";
            o.ClientId = "id";
            o.ClientSecret = "s3cr3t";
        });
        using var host = builder.Build();

        var exception = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(exception!.Message, Does.Contain("Credential 'crm' (OAuthClientCredentials): IdentityUrl must use https").And.Not.Contain("s3cr3t"));
    }

    [Test]
    public async Task A_refused_connection_fails_without_the_secret_from_the_query_and_recovers_when_the_provider_starts()
    {
        var port = LoopbackServer.ClosedPort();
        using var client = new HttpClient(new OAuthClientCredentialsHandler(new OAuthClientCredentialsOptions
        {
            IdentityUrl = $"http://127.0.0.1:{port}/token",
            RequestScheme = OAuthRequestScheme.Query,
            ClientId = "id",
            ClientSecret = QuerySecret,
        })
        {
            InnerHandler = new SocketsHttpHandler(),
        });

        var exception = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(api.Address))!;
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain($"The identity provider at 127.0.0.1 could not be reached"));
            Assert.That(exception.InnerException, Is.InstanceOf<HttpRequestException>());
            Assert.That(exception.ToString(), Does.Not.Contain("q-s3cr3t").And.Not.Contain("q-s3cr3t%2F"));
        });

        await using var provider = await LoopbackServer.StartAsync(
            app => ((IApplicationBuilder)app).Run(context => context.Response.WriteAsJsonAsync(new { access_token = "query-token-up-again", token_type = "Bearer", expires_in = 60 })),
            port);
        Assert.That(await client.GetStringAsync(api.Address), Is.EqualTo("Bearer query-token-up-again"));
    }
}
