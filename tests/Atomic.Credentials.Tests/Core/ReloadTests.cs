using System.Net;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Core;

/// <summary>
/// A configuration reload builds new options instances for every name. A credential whose
/// definition did not change keeps its state (its remembered token, what its token taught it);
/// one whose definition changed is rebuilt at its next request.
/// </summary>
public sealed class ReloadTests
{
    private const string Instance = "https://mc1-instance.rest.marketingcloudapis.com/";

    [Test]
    public async Task Reloading_another_entry_keeps_a_Marketing_Cloud_credential_on_its_instance_url_with_the_same_token()
    {
        await using var host = new ReloadHost(new()
        {
            ["sfmc:Type"] = "SalesforceMarketingCloud", ["sfmc:Subdomain"] = "mc1", ["sfmc:ClientId"] = "id", ["sfmc:ClientSecret"] = "secret-1",
            ["other:Type"] = "BasicAuth", ["other:Username"] = "u", ["other:Password"] = "p1",
        });
        await host.SendAsync("sfmc", "https://mc1.rest.marketingcloudapis.com/platform/v1/endpoints");

        host.Reload("other:Password", "p2");
        await host.SendAsync("sfmc", "https://mc1.rest.marketingcloudapis.com/platform/v1/endpoints");

        Assert.Multiple(() =>
        {
            Assert.That(host.TokenRequests, Is.EqualTo(1), "the unchanged credential kept its token");
            Assert.That(host.Sent.Select(request => request.Uri), Is.All.EqualTo(new Uri(Instance + "platform/v1/endpoints")));
            Assert.That(host.Sent.Select(request => request.Authorization).Distinct().Count(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_new_handler_after_a_reload_still_sends_to_the_instance_url_the_token_came_with()
    {
        await using var host = new ReloadHost(new()
        {
            ["sfmc:Type"] = "SalesforceMarketingCloud", ["sfmc:Subdomain"] = "mc1", ["sfmc:ClientId"] = "id", ["sfmc:ClientSecret"] = "secret-1",
            ["other:Type"] = "BasicAuth", ["other:Username"] = "u", ["other:Password"] = "p1",
        });
        await host.SendAsync("sfmc", "https://mc1.rest.marketingcloudapis.com/a");

        host.Reload("other:Password", "p2");
        await host.SendAsync("sfmc", "https://mc1.rest.marketingcloudapis.com/b", freshHandler: true);

        Assert.Multiple(() =>
        {
            Assert.That(host.TokenRequests, Is.EqualTo(1));
            Assert.That(host.Sent[^1].Uri, Is.EqualTo(new Uri(Instance + "b")));
        });
    }

    [Test]
    public async Task An_unchanged_OAuth_credential_does_not_even_ask_the_cache_again_after_a_reload()
    {
        await using var host = new ReloadHost(new()
        {
            ["crm:Type"] = "OAuthClientCredentials", ["crm:IdentityUrl"] = "https://login.example.com/token",
            ["crm:ClientId"] = "id", ["crm:ClientSecret"] = "secret-1",
            ["other:Type"] = "BasicAuth", ["other:Username"] = "u", ["other:Password"] = "p1",
        });
        await host.SendAsync("crm", "https://api.example.com/1");
        var lookups = host.Cache.Lookups;

        host.Reload("other:Password", "p2");
        await host.SendAsync("crm", "https://api.example.com/2");

        Assert.Multiple(() =>
        {
            Assert.That(host.TokenRequests, Is.EqualTo(1));
            Assert.That(host.Cache.Lookups, Is.EqualTo(lookups), "the remembered token was kept: the state was not rebuilt");
        });
    }

    [Test]
    public async Task A_changed_secret_is_used_from_the_next_request_on()
    {
        await using var host = new ReloadHost(new()
        {
            ["crm:Type"] = "OAuthClientCredentials", ["crm:IdentityUrl"] = "https://login.example.com/token",
            ["crm:ClientId"] = "id", ["crm:ClientSecret"] = "secret-1",
            ["other:Type"] = "BasicAuth", ["other:Username"] = "u", ["other:Password"] = "p1",
        });
        await host.SendAsync("crm", "https://api.example.com/1");
        await host.SendAsync("other", "https://legacy.example.com/1");

        host.Reload("crm:ClientSecret", "secret-2");
        host.Reload("other:Password", "p2");
        await host.SendAsync("crm", "https://api.example.com/2");
        await host.SendAsync("other", "https://legacy.example.com/2");

        Assert.Multiple(() =>
        {
            Assert.That(host.TokenRequests, Is.EqualTo(2), "a new token for the new secret at once");
            Assert.That(host.TokenBodies[^1], Does.Contain("secret-2"));
            Assert.That(host.Sent[2].Authorization, Is.Not.EqualTo(host.Sent[0].Authorization));
            Assert.That(host.Sent[3].Authorization, Is.EqualTo("Basic " + Convert.ToBase64String("u:p2"u8.ToArray())));
        });
    }

    private sealed class ReloadHost : IAsyncDisposable
    {
        private readonly IConfigurationRoot configuration;
        private readonly ServiceProvider provider;
        private int tokens;

        public ReloadHost(Dictionary<string, string?> entries)
        {
            configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(entries.ToDictionary(pair => "AtomicCredentials:" + pair.Key, pair => pair.Value))
                .Build();
            var services = new ServiceCollection();
            services.AddSingleton<ICredentialCache>(Cache);
            services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
            services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => new StubHandler(async (request, ct) =>
            {
                var body = await request.Content!.ReadAsStringAsync(ct);
                lock (TokenBodies)
                {
                    TokenBodies.Add(body);
                }

                var n = Interlocked.Increment(ref tokens);
                return OAuthTestKit.Json($$"""{"access_token":"token-{{n}}","token_type":"Bearer","expires_in":3600,"rest_instance_url":"{{Instance}}"}""");
            }));
            foreach (var name in entries.Keys.Select(key => key.Split(':')[0]).Distinct())
            {
                services.AddHttpClient(name).AddAtomicCredentialHandler(name).ConfigurePrimaryHttpMessageHandler(() => new StubHandler(request =>
                {
                    lock (Sent)
                    {
                        Sent.Add((request.RequestUri!, request.Headers.Authorization?.ToString()));
                    }

                    return new HttpResponseMessage(HttpStatusCode.OK);
                }));
            }

            provider = services.BuildServiceProvider();
        }

        public CountingCache Cache { get; } = new();

        public int TokenRequests => Volatile.Read(ref tokens);

        public List<string> TokenBodies { get; } = [];

        public List<(Uri Uri, string? Authorization)> Sent { get; } = [];

        public async Task SendAsync(string name, string uri, bool freshHandler = false)
        {
            HttpClient client;
            if (freshHandler)
            {
                // What IHttpClientFactory does every two minutes: a new handler for the same name.
                var handler = provider.GetRequiredService<Atomic.Credentials.DependencyInjection.CredentialRegistry>().CreateHandler(provider, name);
                handler.InnerHandler = new StubHandler(request =>
                {
                    lock (Sent)
                    {
                        Sent.Add((request.RequestUri!, request.Headers.Authorization?.ToString()));
                    }

                    return new HttpResponseMessage(HttpStatusCode.OK);
                });
                client = new HttpClient(handler);
            }
            else
            {
                client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);
            }

            using (client)
            using (var response = await client.GetAsync(new Uri(uri)))
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
        }

        public void Reload(string key, string value)
        {
            configuration["AtomicCredentials:" + key] = value;
            configuration.Reload();

            // What a host does at start: every name's options are built again from the reloaded configuration.
            _ = provider.GetRequiredService<IOptionsMonitor<BasicAuthOptions>>().Get("other");
        }

        public ValueTask DisposeAsync() => provider.DisposeAsync();
    }

    private sealed class CountingCache : ICredentialCache
    {
        private readonly MemoryCredentialCache inner = new();
        private int lookups;

        public int Lookups => Volatile.Read(ref lookups);

        public ValueTask<CachedCredential> GetOrCreateAsync(string key, Func<CancellationToken, Task<CachedCredential>> factory, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref lookups);
            return inner.GetOrCreateAsync(key, factory, cancellationToken);
        }

        public ValueTask RemoveAsync(string key, string value, CancellationToken cancellationToken) => inner.RemoveAsync(key, value, cancellationToken);
    }
}
