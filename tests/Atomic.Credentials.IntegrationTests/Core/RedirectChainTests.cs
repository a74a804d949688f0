using System.Security.Cryptography;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Core;

/// <summary>
/// Redirect chains over real sockets between two hosts: the origin on 127.0.0.1 and a foreign
/// server on 127.0.0.2, which records every request it gets. Every kind and preset, through
/// IHttpClientFactory and without dependency injection. The rule under test: the credential rides a
/// hop only while the whole chain so far has stayed on the origin the request was sent to.
/// </summary>
[NonParallelizable]
public sealed class RedirectChainTests
{
    public static readonly string[] Kinds =
        ["Basic", "OAuth", "KeyPair", "CustomHeaders", "SigV4", "SigV4Query", "S3Bucket", "SalesforceMarketingCloud", "Marketo"];

    private static readonly string[] AllowBoth = ["127.0.0.1", "127.0.0.2"];

    private readonly List<IAsyncDisposable> owned = [];
    private LoopbackServer origin = null!;
    private LoopbackServer foreign = null!;
    private LoopbackOAuthServer tokens = null!;
    private string privateKey = null!;
    private Seen atOrigin = new();
    private Seen atForeign = new();
    private Func<HttpMessageHandler> primary = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        using (var rsa = RSA.Create(2048))
        {
            privateKey = rsa.ExportPkcs8PrivateKeyPem();
        }

        tokens = await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(10));

        // Each server answers by the last segment of the path, so a bucket's /bucket/hop is /hop.
        origin = await LoopbackServer.StartAsync(app => ((IApplicationBuilder)app).Run(context =>
        {
            atOrigin.Record(context.Request);
            var (folder, name) = Split(context.Request.Path.Value!);
            var self = context.Request.Host;
            return name switch
            {
                "hop" => Redirect(context, 302, new Uri(foreign.Address, "/hop1").AbsoluteUri),
                "away" => Redirect(context, 302, new Uri(foreign.Address, "/bounce").AbsoluteUri),
                "back" => Redirect(context, 302, "back2"),
                "same1" => Redirect(context, 302, "same2"),
                "same2" => Redirect(context, 301, $"//{self}{folder}same3"),
                "same3" => Redirect(context, 307, $"http://{self}{folder}end"),
                _ => context.Response.WriteAsync("ok"),
            };
        }));
        foreign = await LoopbackServer.StartAsync(
            app => ((IApplicationBuilder)app).Run(context =>
            {
                atForeign.Record(context.Request);
                return Split(context.Request.Path.Value!).Name switch
                {
                    "hop1" => Redirect(context, 302, "/hop2"),
                    "bounce" => Redirect(context, 302, new Uri(origin.Address, "/back").AbsoluteUri),
                    _ => context.Response.WriteAsync("ok"),
                };
            }),
            host: "127.0.0.2");
        tokens.RestInstanceUrl = origin.Address;
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await foreign.DisposeAsync();
        await origin.DisposeAsync();
        await tokens.DisposeAsync();
    }

    [SetUp]
    public void Forget()
    {
        atOrigin = new Seen();
        atForeign = new Seen();
        primary = () => new SocketsHttpHandler();
    }

    [TearDown]
    public async Task DisposeClients()
    {
        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }

        owned.Clear();
    }

    // The attack of issue 14: the foreign host redirects to itself with a relative Location, and
    // the follower must not mistake "same origin as the previous hop" for "same origin as the request".
    [Test, Combinatorial]
    public async Task A_foreign_host_that_redirects_to_itself_receives_no_credential_on_any_hop(
        [ValueSource(nameof(Kinds))] string kind, [Values] bool dependencyInjection, [Values] bool allowBothHosts)
    {
        var send = Sender(kind, dependencyInjection, allowBothHosts);

        using var response = await send("hop");

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200), "the chain is followed to its end");
            var first = atOrigin.All.Single();
            Assert.That(CarriesAll(kind, first), Is.True, $"the request on the origin carries the credential: {Describe(first)}");
            Assert.That(atForeign.All.Select(r => Split(r.Path).Name), Is.EqualTo(new[] { "hop1", "hop2" }));
            foreach (var hop in atForeign.All)
            {
                Assert.That(CarriesAny(hop), Is.False, $"{hop.Path} on 127.0.0.2 got credential material: {Describe(hop)}");
            }
        });
    }

    // Once the chain has left the origin, the foreign server chooses the next request's path, method
    // and body: the credential would authorize a request the caller never made, so it stays off, also
    // on a further hop from the origin to itself (origin -> foreign -> origin /back -> origin /back2).
    [Test, Combinatorial]
    public async Task Coming_back_to_the_origin_after_a_foreign_hop_carries_nothing_because_the_foreign_server_chose_that_request(
        [ValueSource(nameof(Kinds))] string kind, [Values] bool dependencyInjection)
    {
        var send = Sender(kind, dependencyInjection, allowBothHosts: true);

        using var response = await send("away");

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(atOrigin.All.Select(r => Split(r.Path).Name), Is.EqualTo(new[] { "away", "back", "back2" }));
            Assert.That(CarriesAll(kind, atOrigin.All[0]), Is.True, $"the first request carries the credential: {Describe(atOrigin.All[0])}");
            Assert.That(CarriesAny(atForeign.All.Single()), Is.False, $"the foreign hop: {Describe(atForeign.All.Single())}");
            foreach (var hop in atOrigin.All.Skip(1))
            {
                Assert.That(CarriesAny(hop), Is.False, $"back on the origin: {Describe(hop)}");
            }
        });
    }

    // Relative, scheme-relative and absolute Locations, 302, 301 and 307: all on the origin.
    [Test, Combinatorial]
    public async Task A_chain_that_stays_on_the_origin_keeps_the_credential_on_every_hop(
        [ValueSource(nameof(Kinds))] string kind, [Values] bool dependencyInjection)
    {
        var send = Sender(kind, dependencyInjection, allowBothHosts: false);

        using var response = await send("same1");

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(atOrigin.All.Select(r => Split(r.Path).Name), Is.EqualTo(new[] { "same1", "same2", "same3", "end" }));
            foreach (var hop in atOrigin.All)
            {
                Assert.That(CarriesAll(kind, hop), Is.True, $"{hop.Path}: {Describe(hop)}");
            }

            Assert.That(atForeign.All, Is.Empty);
        });
    }

    // Issue 14 §2. Apps share one SocketsHttpHandler between clients; once it has sent a request its
    // AllowAutoRedirect can no longer be turned off, and it would carry X-Api-Key or X-Amz-Security-Token
    // to whatever host a redirect names (it drops only Authorization itself). Without dependency
    // injection only: IHttpClientFactory itself refuses a primary handler that already sent a request.
    [Test]
    public async Task A_shared_primary_handler_that_follows_redirects_and_already_sent_a_request_gets_every_request_refused_unsent(
        [Values("CustomHeaders", "SigV4", "Basic")] string kind)
    {
        using var shared = await SharedAndUsedAsync(allowAutoRedirect: true);
        var send = Sender(kind, dependencyInjection: false, allowBothHosts: false);

        var first = Assert.ThrowsAsync<CredentialException>(() => send("hop"));
        var again = Assert.ThrowsAsync<CredentialException>(() => send("hop"));

        Assert.Multiple(() =>
        {
            Assert.That(first!.Message, Does.Contain("follows redirects automatically and has already sent a request"), "the cause");
            Assert.That(first.Message, Does.Contain("primary handler of its own").And.Contain("AllowAutoRedirect = false"), "the fix");
            Assert.That(first.Message, Does.Contain("The request was not sent"));
            Assert.That(again!.Message, Is.EqualTo(first.Message), "refused at every request, not only the first");
            Assert.That(atOrigin.All.Select(r => r.Path), Is.EqualTo(new[] { "/warm" }), "only the plain client's request reached the origin");
            Assert.That(atForeign.All, Is.Empty);
        });
    }

    // The explicit opt-in: a shared handler created with AllowAutoRedirect = false follows nothing,
    // so the credential handler sends and the caller gets the redirect itself.
    [Test]
    public async Task A_shared_primary_handler_created_without_automatic_redirects_sends_and_returns_the_redirect_unfollowed(
        [Values("CustomHeaders", "SigV4", "Basic")] string kind)
    {
        using var shared = await SharedAndUsedAsync(allowAutoRedirect: false);
        var send = Sender(kind, dependencyInjection: false, allowBothHosts: true);

        using var response = await send("hop");

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(302));
            Assert.That(response.Headers.Location, Is.EqualTo(new Uri(foreign.Address, "/hop1")));
            Assert.That(atOrigin.All.Select(r => r.Path), Is.EqualTo(new[] { "/warm", "/hop" }));
            Assert.That(CarriesAll(kind, atOrigin.All[1]), Is.True, $"sent with the credential: {Describe(atOrigin.All[1])}");
            Assert.That(atForeign.All, Is.Empty, "the redirect was not followed");
        });
    }

    /// <summary>A handler shared by clients, already used by a plain one: its settings are frozen.</summary>
    private async Task<SocketsHttpHandler> SharedAndUsedAsync(bool allowAutoRedirect)
    {
        var shared = new SocketsHttpHandler { AllowAutoRedirect = allowAutoRedirect };
        using (var plain = new HttpMessageInvoker(shared, disposeHandler: false))
        {
            using var warm = await plain.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(origin.Address, "/warm")), CancellationToken.None);
        }

        Assert.That(() => shared.AllowAutoRedirect = allowAutoRedirect, Throws.InvalidOperationException, "the shared handler is frozen");
        primary = () => shared;
        return shared;
    }

    /// <summary>The headers a kind puts on a request; a kind that presigns puts its material in the query instead.</summary>
    internal static string[] MaterialHeaders(string kind) => kind switch
    {
        "CustomHeaders" => ["X-Api-Key", "Authorization"],
        "SigV4" or "S3Bucket" => ["Authorization", "X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256"],
        "SigV4Query" => [],
        _ => ["Authorization"],
    };

    internal static bool CarriesAll(string kind, SeenRequest request) => kind == "SigV4Query"
        ? new[] { "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token" }.All(request.Query.ContainsKey)
        : MaterialHeaders(kind).All(request.Headers.ContainsKey);

    /// <summary>Whether any kind's material is on the request: its headers, or a presigned query.</summary>
    internal static bool CarriesAny(SeenRequest request) =>
        request.Headers.Keys.Any(h => h.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
            || h.Equals("X-Api-Key", StringComparison.OrdinalIgnoreCase)
            || h.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase))
        || request.Query.Keys.Any(q => q.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase));

    internal static string Describe(SeenRequest request) =>
        $"{request.Method} {request.Path}?{string.Join('&', request.Query.Keys)} [{string.Join(", ", request.Headers.Keys)}]";

    internal static Task Redirect(HttpContext context, int status, string location)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    private static (string Folder, string Name) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        return (path[..(slash + 1)], path[(slash + 1)..]);
    }

    /// <summary>Sends GET requests to paths on the origin with the credential of <paramref name="kind"/>.</summary>
    private Func<string, Task<HttpResponseMessage>> Sender(string kind, bool dependencyInjection, bool allowBothHosts) => kind switch
    {
        "Basic" => Sender<BasicAuthOptions>(dependencyInjection, allowBothHosts, o => (o.Username, o.Password) = ("user", "pa55word"), o => Through(new BasicAuthHandler(o))),
        "OAuth" => Sender<OAuthClientCredentialsOptions>(
            dependencyInjection,
            allowBothHosts,
            o => (o.IdentityUrl, o.ClientId, o.ClientSecret) = (tokens.TokenUrl.AbsoluteUri, LoopbackOAuthServer.ClientId, tokens.ClientSecret),
            o => Through(new OAuthClientCredentialsHandler(o))),
        "KeyPair" => Sender<KeyPairOptions>(
            dependencyInjection,
            allowBothHosts,
            o => (o.PrivateKey, o.Issuer, o.Audience) = (privateKey, "atomic", "partner"),
            o => Through(new KeyPairJwtHandler(o))),
        "CustomHeaders" => Sender<CustomHeadersOptions>(
            dependencyInjection,
            allowBothHosts,
            o => (o.Headers["X-Api-Key"], o.Headers["Authorization"]) = ("api-key-value", "Token custom-value"),
            o => Through(new CustomHeadersHandler(o))),
        "SigV4" or "SigV4Query" => Sender<AwsSignedRequestOptions>(
            dependencyInjection,
            allowBothHosts,
            o =>
            {
                (o.AccessKeyId, o.SecretAccessKey, o.SessionToken) = ("AKIDREDIRECT", "redirect/secret+KEY", "session-token-value");
                (o.Service, o.Region, o.SignQuery) = ("s3", "eu-west-1", kind == "SigV4Query");
            },
            o => Through(new AwsSignatureHandler(o))),
        "S3Bucket" => Sender<S3BucketOptions>(
            dependencyInjection,
            allowBothHosts,
            o =>
            {
                (o.AccessKeyId, o.SecretAccessKey, o.SessionToken) = ("AKIDREDIRECT", "redirect/secret+KEY", "session-token-value");
                (o.BucketName, o.Region, o.ServiceUrl) = ("bucket", "us-east-1", origin.Address.AbsoluteUri);
            },
            o =>
            {
                var bucket = new S3BucketClient(o, innerHandler: primary());
                owned.Add(new Disposing(bucket));
                return path => bucket.GetObjectAsync(path);
            }),
        "SalesforceMarketingCloud" => Sender<SalesforceMarketingCloudOptions>(
            dependencyInjection,
            allowBothHosts,
            o => (o.Subdomain, o.ClientId, o.ClientSecret, o.AuthBaseUrl) = ("tenant", LoopbackOAuthServer.ClientId, tokens.ClientSecret, tokens.BaseAddress.AbsoluteUri),
            o => Through(IntegrationHandlers.SalesforceMarketingCloud(o))),
        "Marketo" => Sender<MarketoOptions>(
            dependencyInjection,
            allowBothHosts,
            o =>
            {
                (o.IdentityUrl, o.RestUrl) = (new Uri(tokens.BaseAddress, "/identity").AbsoluteUri, new Uri(origin.Address, "/rest/").AbsoluteUri);
                (o.ClientId, o.ClientSecret) = (LoopbackOAuthServer.ClientId, tokens.ClientSecret);
            },
            o => Through(IntegrationHandlers.Marketo(o))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private Func<string, Task<HttpResponseMessage>> Sender<TOptions>(
        bool dependencyInjection, bool allowBothHosts, Action<TOptions> configure, Func<TOptions, Func<string, Task<HttpResponseMessage>>> withoutInjection)
        where TOptions : CredentialOptions, new()
    {
        void Configure(TOptions options)
        {
            configure(options);
            if (allowBothHosts)
            {
                options.AllowedHosts = [.. AllowBoth];
            }
        }

        if (!dependencyInjection)
        {
            var options = new TOptions();
            Configure(options);
            return withoutInjection(options);
        }

        var services = new ServiceCollection();
        services.AddAtomicCredential<TOptions>("chain", Configure);
        services.AddHttpClient("chain").AddAtomicCredentialHandler("chain");
        var provider = services.BuildServiceProvider();
        owned.Add(provider);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("chain");
        return path => client.GetAsync(new Uri(origin.Address, path));
    }

    private Func<string, Task<HttpResponseMessage>> Through(DelegatingHandler handler)
    {
        handler.InnerHandler = primary();
        var client = new HttpClient(handler);
        owned.Add(new Disposing(client));
        return path => client.GetAsync(new Uri(origin.Address, path));
    }

    private sealed class Disposing(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
