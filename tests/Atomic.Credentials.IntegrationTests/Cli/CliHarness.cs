using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Atomic.Credentials.Cli;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.IntegrationTests.Cli;

/// <summary>
/// The tool's world: a token server, an API on loopback that checks what each credential should
/// carry and counts what reaches it, a configuration file with one credential of each kind (and
/// some broken ones), and a way to run the tool's entry point with its console redirected.
/// </summary>
internal sealed class CliHarness : IAsyncDisposable
{
    public const string LegacyUser = "cli-user";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "atomic-cli-" + Guid.NewGuid().ToString("N"));
    private int apiRequests;

    private CliHarness(LoopbackOAuthServer oauth)
    {
        OAuth = oauth;
        Directory.CreateDirectory(folder);
    }

    public LoopbackOAuthServer OAuth { get; }

    public LoopbackServer Api { get; private set; } = null!;

    public string LegacyPassword { get; } = "pw-" + Guid.NewGuid().ToString("N");

    public string ApiKey { get; } = "key-" + Guid.NewGuid().ToString("N");

    public string AwsSecret { get; } = "aws-" + Guid.NewGuid().ToString("N");

    public ECDsa PartnerKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public RSA RsaPartnerKey { get; } = RSA.Create(2048);

    /// <summary>The Marketing Cloud tenant's documented REST address; its token response names the loopback API instead.</summary>
    public static Uri SfmcRestAddress => new("https://cli-tenant.rest.marketingcloudapis.com/");

    /// <summary>The last Authorization header the API's <c>/jwt</c> endpoint received.</summary>
    public string? LastJwt { get; private set; }

    public int ApiRequests => Volatile.Read(ref apiRequests);

    public string ConfigPath => Path.Combine(folder, "appsettings.json");

    public string StorePath => Path.Combine(folder, "store", "credentials.db");

    /// <summary>Every secret the tool must never print, in every form it could take.</summary>
    public IEnumerable<string> Secrets =>
    [
        LegacyPassword, ApiKey, AwsSecret, OAuth.ClientSecret,
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LegacyUser}:{LegacyPassword}")),
        Convert.ToBase64String(PartnerKey.ExportPkcs8PrivateKey())[..40],
        Convert.ToBase64String(RsaPartnerKey.ExportPkcs8PrivateKey())[..40],
        .. OAuth.IssuedTokens,
        .. LastJwt is null ? [] : new[] { LastJwt },
    ];

    public static async Task<CliHarness> StartAsync()
    {
        var harness = new CliHarness(await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(5)));
        harness.OAuth.RestInstanceUrl = new Uri(harness.OAuth.BaseAddress, "/api/");
        harness.Api = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                Interlocked.Increment(ref harness.apiRequests);
                await next(context);
            });
            var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LegacyUser}:{harness.LegacyPassword}"));
            app.MapGet("/basic", (HttpRequest r) => r.Headers.Authorization == basic ? Results.Text("basic-ok") : Results.StatusCode(401));
            app.MapGet("/key", (HttpRequest r) => r.Headers["X-Api-Key"] == harness.ApiKey ? Results.Text("key-ok") : Results.StatusCode(401));
            app.MapPost("/echo", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync(), r.ContentType));
            app.MapGet("/jwt", (HttpRequest r) =>
            {
                harness.LastJwt = r.Headers.Authorization.ToString()["Bearer ".Length..];
                return Results.Text("jwt-ok");
            });
        });
        await File.WriteAllTextAsync(harness.ConfigPath, harness.Configuration().ToJsonString());
        return harness;
    }

    private JsonObject Configuration() => new()
    {
        ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
        ["AtomicCredentials"] = new JsonObject
        {
            ["legacy"] = new JsonObject { ["Type"] = "BasicAuth", ["Username"] = LegacyUser, ["Password"] = LegacyPassword },
            ["apikey"] = new JsonObject { ["Type"] = "CustomHeaders", ["Headers"] = new JsonObject { ["X-Api-Key"] = ApiKey } },
            ["crm"] = new JsonObject
            {
                ["Type"] = "OAuthClientCredentials", ["IdentityUrl"] = OAuth.TokenUrl.AbsoluteUri,
                ["ClientId"] = LoopbackOAuthServer.ClientId, ["ClientSecret"] = OAuth.ClientSecret,
            },
            ["badsecret"] = new JsonObject
            {
                ["Type"] = "OAuthClientCredentials", ["IdentityUrl"] = OAuth.TokenUrl.AbsoluteUri,
                ["ClientId"] = LoopbackOAuthServer.ClientId, ["ClientSecret"] = "wrong-" + LegacyPassword,
            },
            ["badurl"] = new JsonObject
            {
                ["Type"] = "OAuthClientCredentials", ["IdentityUrl"] = new Uri(OAuth.BaseAddress, "/no-such-token-endpoint").AbsoluteUri,
                ["ClientId"] = LoopbackOAuthServer.ClientId, ["ClientSecret"] = OAuth.ClientSecret,
            },
            ["marketo"] = new JsonObject
            {
                ["Type"] = "Marketo", ["IdentityUrl"] = new Uri(OAuth.BaseAddress, "/identity").AbsoluteUri,
                ["ClientId"] = LoopbackOAuthServer.ClientId, ["ClientSecret"] = OAuth.ClientSecret,
            },
            ["sfmc"] = new JsonObject
            {
                ["Type"] = "SalesforceMarketingCloud", ["Subdomain"] = SfmcRestAddress.Host.Split('.')[0],
                ["AuthBaseUrl"] = OAuth.BaseAddress.AbsoluteUri,
                ["ClientId"] = LoopbackOAuthServer.ClientId, ["ClientSecret"] = OAuth.ClientSecret,
            },
            ["s3"] = new JsonObject
            {
                ["Type"] = "AwsSignedRequest", ["AccessKeyId"] = "AKIDCLITEST", ["SecretAccessKey"] = AwsSecret,
                ["Service"] = "s3", ["Region"] = "eu-west-1",
            },
            ["partner"] = new JsonObject
            {
                ["Type"] = "KeyPair", ["PrivateKey"] = PartnerKey.ExportPkcs8PrivateKeyPem(), ["Algorithm"] = "ES256",
                ["Issuer"] = "atomic", ["Subject"] = "cli", ["Audience"] = "https://partner.example.com", ["KeyId"] = "k1",
            },
            ["partner-rsa"] = new JsonObject
            {
                ["Type"] = "KeyPair", ["PrivateKey"] = RsaPartnerKey.ExportPkcs8PrivateKeyPem(), ["Algorithm"] = "RS256",
                ["Issuer"] = "atomic", ["Subject"] = "cli", ["Audience"] = "https://partner.example.com", ["KeyId"] = "r1",
            },
            ["badkey"] = new JsonObject
            {
                ["Type"] = "KeyPair", ["PrivateKey"] = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
                ["Algorithm"] = "ES256", ["Issuer"] = "atomic", ["Audience"] = "https://partner.example.com",
            },
        },
    };

    public Uri At(string path) => new(Api.Address, path);

    /// <summary>Runs the tool's entry point as <c>atomic-credentials args</c>, standard input from <paramref name="stdin"/>.</summary>
    public static async Task<CliRun> RunWithInputAsync(string? stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin ?? string.Empty);
        var code = await Atomic.Credentials.Cli.Cli.RunAsync(args, new CliConsole(output, error, input, InputRedirected: true));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>
    /// <c>store import</c> of some entries of a configuration file into a SQLite store (created with
    /// its folder): a file of only those entries is written beside the store and imported.
    /// </summary>
    public static async Task<CliRun> ImportAsync(string configPath, string storePath, params string[] names)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(storePath)!);
        var section = JsonNode.Parse(await File.ReadAllTextAsync(configPath))!["AtomicCredentials"]!;
        var only = new JsonObject();
        foreach (var name in names)
        {
            only[name] = section[name]!.DeepClone();
        }

        var file = Path.Combine(Path.GetDirectoryName(storePath)!, "import-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, only.ToJsonString());
        try
        {
            return await RunAsync("store", "import", file, "--store", storePath);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Fails when any secret appears anywhere in the run's output.</summary>
    public void AssertNoSecret(CliRun run)
    {
        foreach (var secret in Secrets)
        {
            Assert.That(run.Out + run.Error, Does.Not.Contain(secret), "a secret was printed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        PartnerKey.Dispose();
        RsaPartnerKey.Dispose();
        await Api.DisposeAsync();
        await OAuth.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}

internal sealed record CliRun(int Code, string Out, string Error)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
