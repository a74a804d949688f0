using System.Net;
using System.Text.Json;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Store;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.Tests.Store;

/// <summary>
/// One client serves every saved credential: each request names its own, and is refused before
/// anything is sent when it names none, one outside the client's prefix, or one not saved.
/// </summary>
public sealed class SavedCredentialHandlerTests
{
    private static JsonElement Basic(string user, string password, string host = "api.example.com") => SavedDefinitions.Json(
        $$"""{ "Type": "BasicAuth", "Username": "{{user}}", "Password": "{{password}}", "AllowedHosts": ["{{host}}"] }""");

    private static string BasicHeader(string user, string password) =>
        "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Test]
    public async Task Each_request_carries_the_credential_it_names()
    {
        await using var host = new SavedHost();
        await host.Store.SaveAsync("acme/crm", Basic("acme", "a-secret"));
        await host.Store.SaveAsync("globex/crm", Basic("globex", "g-secret"));
        await host.Store.SaveAsync("acme/key", SavedDefinitions.Json("""{ "Type": "CustomHeaders", "Headers": { "X-Api-Key": "acme-key" } }"""));

        await host.SendAsync("acme/crm");
        await host.SendAsync("globex/crm");
        await host.SendAsync("acme/key");

        Assert.Multiple(() =>
        {
            Assert.That(host.Sent[0].Authorization, Is.EqualTo(BasicHeader("acme", "a-secret")));
            Assert.That(host.Sent[1].Authorization, Is.EqualTo(BasicHeader("globex", "g-secret")));
            Assert.That(host.Sent[2].Authorization, Is.Null);
            Assert.That(host.Sent[2].ApiKey, Is.EqualTo("acme-key"));
        });
    }

    [Test]
    public async Task A_request_that_names_no_credential_is_refused_and_not_sent()
    {
        await using var host = new SavedHost();

        var error = Assert.ThrowsAsync<CredentialException>(() => host.SendAsync(name: null));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("WithCredential"));
            Assert.That(host.Sent, Is.Empty);
        });
    }

    [Test]
    public async Task A_credential_that_is_not_saved_is_refused_by_name_and_not_sent()
    {
        await using var host = new SavedHost();

        var error = Assert.ThrowsAsync<CredentialException>(() => host.SendAsync("acme/nothing"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.CredentialName, Is.EqualTo("acme/nothing"));
            Assert.That(error.Message, Does.Contain("'acme/nothing'"));
            Assert.That(host.Sent, Is.Empty);
        });
    }

    [Test]
    public async Task A_rotated_secret_is_used_from_the_next_request_and_a_deleted_credential_is_refused()
    {
        await using var host = new SavedHost();
        await host.Store.SaveAsync("acme/crm", Basic("acme", "old"));
        await host.SendAsync("acme/crm");

        await host.Store.SaveAsync("acme/crm", Basic("acme", "new"));
        await host.SendAsync("acme/crm");
        await host.Store.DeleteAsync("acme/crm");
        var error = Assert.ThrowsAsync<CredentialException>(() => host.SendAsync("acme/crm"));

        Assert.Multiple(() =>
        {
            Assert.That(host.Sent.Select(sent => sent.Authorization), Is.EqualTo(new[] { BasicHeader("acme", "old"), BasicHeader("acme", "new") }));
            Assert.That(error!.CredentialName, Is.EqualTo("acme/crm"));
        });
    }

    [Test]
    public async Task The_guard_of_the_saved_credential_applies()
    {
        await using var host = new SavedHost();
        await host.Store.SaveAsync("acme/crm", Basic("acme", "s", host: "only.example.com"));

        var error = Assert.ThrowsAsync<CredentialException>(() => host.SendAsync("acme/crm"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("AllowedHosts"));
            Assert.That(host.Sent, Is.Empty);
        });
    }

    [Test]
    public async Task A_client_limited_to_a_prefix_never_applies_another_tenants_credential([Random(0, int.MaxValue, 50)] int seed)
    {
        // Random tenant names, some of them prefixes or look-alikes of others ("acme", "acme2", "acm").
        var random = new Random(seed);
        var tenants = Enumerable.Range(0, 4).Select(_ => new string(Enumerable.Range(0, random.Next(1, 4)).Select(_ => "ab/"[random.Next(3)]).ToArray())).Distinct().ToArray();
        var mine = tenants[0] + "/";
        await using var host = new SavedHost(prefix: mine);
        foreach (var tenant in tenants)
        {
            await host.Store.SaveAsync(tenant + "/crm", Basic("u", tenant + "-secret"));
        }

        foreach (var tenant in tenants)
        {
            var name = tenant + "/crm";
            if (name.StartsWith(mine, StringComparison.Ordinal))
            {
                await host.SendAsync(name);
                Assert.That(host.Sent[^1].Authorization, Is.EqualTo(BasicHeader("u", tenant + "-secret")), $"seed {seed}");
            }
            else
            {
                var before = host.Sent.Count;
                var error = Assert.ThrowsAsync<CredentialException>(() => host.SendAsync(name), $"seed {seed}: {name} under {mine}");
                Assert.That(error!.Message, Does.Contain(mine));
                Assert.That(host.Sent, Has.Count.EqualTo(before), $"seed {seed}: nothing is sent");
            }
        }
    }

    [Test]
    public async Task Built_credentials_are_bounded_least_recently_used_out()
    {
        await using var host = new SavedHost(capacity: 10);
        for (var i = 0; i < 40; i++)
        {
            await host.Store.SaveAsync($"t{i}/crm", Basic("u", $"s{i}"));
        }

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 40; i++)
            {
                await host.SendAsync($"t{i}/crm");
                await host.SendAsync("t0/crm"); // kept hot
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(host.Credentials.Count, Is.LessThanOrEqualTo(11));
            Assert.That(host.Sent.Where((_, index) => index % 2 == 0).Select(sent => sent.Authorization),
                Is.EqualTo(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 40).Select(i => BasicHeader("u", $"s{i}")))));
        });
    }

    [Test]
    public async Task Many_callers_missing_one_name_read_the_store_once()
    {
        var storage = new CountingStorage();
        await using var host = new SavedHost(storage: storage);
        await host.Store.SaveAsync("acme/crm", Basic("acme", "s"));
        var reads = storage.Reads;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => host.SendAsync("acme/crm")));

        Assert.Multiple(() =>
        {
            Assert.That(storage.Reads - reads, Is.EqualTo(1));
            Assert.That(host.Sent, Has.Count.EqualTo(50));
        });
    }

    [Test]
    public async Task A_saved_OAuth_credential_gets_its_token_through_the_shared_cache_once()
    {
        var tokens = 0;
        await using var host = new SavedHost(tokenEndpoint: _ =>
        {
            var n = Interlocked.Increment(ref tokens);
            return OAuthTestKit.Json($$"""{"access_token":"token-{{n}}","token_type":"Bearer","expires_in":3600}""");
        });
        await host.Store.SaveAsync("acme/crm", SavedDefinitions.Json(
            """{ "Type": "OAuthClientCredentials", "IdentityUrl": "https://login.example.com/token", "ClientId": "id", "ClientSecret": "s" }"""));

        for (var i = 0; i < 5; i++)
        {
            await host.SendAsync("acme/crm");
        }

        Assert.Multiple(() =>
        {
            Assert.That(tokens, Is.EqualTo(1));
            Assert.That(host.Sent.Select(sent => sent.Authorization), Is.All.EqualTo("Bearer token-1"));
        });
    }

    [Test]
    public async Task A_credential_dropped_from_the_state_cache_lets_go_of_its_remembered_token()
    {
        var tokens = 0;
        await using var host = new SavedHost(capacity: 1, tokenEndpoint: _ =>
            OAuthTestKit.Json($$"""{"access_token":"token-{{Interlocked.Increment(ref tokens)}}","token_type":"Bearer","expires_in":3600}"""));
        foreach (var name in new[] { "a/crm", "b/crm" })
        {
            await host.Store.SaveAsync(name, SavedDefinitions.Json(
                """{ "Type": "OAuthClientCredentials", "IdentityUrl": "https://login.example.com/token", "ClientId": "id", "ClientSecret": "s" }"""));
        }

        await host.SendAsync("a/crm");
        var first = (OAuthClientCredentialsHandler.Pipeline)await host.Credentials.GetAsync("a/crm", CancellationToken.None);
        var rememberedWhileHeld = first.Current.Remembered.Entry;
        await host.SendAsync("b/crm"); // over capacity: a/crm is dropped
        await host.SendAsync("b/crm");

        Assert.Multiple(() =>
        {
            Assert.That(rememberedWhileHeld, Is.Not.Null, "a held credential remembers its token");
            Assert.That(first.Current.Remembered.Entry, Is.Null, "a dropped one lets go of it (and of its timer)");
            Assert.That(host.Credentials.Count, Is.LessThanOrEqualTo(1));
        });
    }

    private sealed class SavedHost : IAsyncDisposable
    {
        private readonly ServiceProvider provider;

        public SavedHost(string? prefix = null, int capacity = 1000, ICredentialStorage? storage = null, Func<HttpRequestMessage, HttpResponseMessage>? tokenEndpoint = null)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
            services.AddAtomicCredentialStore(o =>
            {
                o.MaxResolvedCredentials = capacity;
                o.UseStorage(_ => storage ?? new InMemoryCredentialStorage());
            });
            services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(() => new StubHandler(tokenEndpoint ?? (_ => new HttpResponseMessage(HttpStatusCode.BadRequest))));
            services.AddHttpClient("outbound")
                .AddAtomicCredentialHandler(o => o.NamePrefix = prefix)
                .ConfigurePrimaryHttpMessageHandler(() => new StubHandler(request =>
                {
                    lock (Sent)
                    {
                        Sent.Add(new(request.Headers.Authorization?.ToString(), request.Headers.TryGetValues("X-Api-Key", out var key) ? key.Single() : null));
                    }

                    return new HttpResponseMessage(HttpStatusCode.OK);
                }));
            provider = services.BuildServiceProvider();
        }

        public ICredentialStore Store => provider.GetRequiredService<ICredentialStore>();

        public SavedCredentials Credentials => provider.GetRequiredService<SavedCredentials>();

        public List<SentRequest> Sent { get; } = [];

        public async Task SendAsync(string? name)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/hook");
            if (name is not null)
            {
                request.WithCredential(name);
            }

            using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("outbound").SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        public ValueTask DisposeAsync() => provider.DisposeAsync();
    }

    internal sealed record SentRequest(string? Authorization, string? ApiKey);

    private sealed class CountingStorage : ICredentialStorage
    {
        private readonly InMemoryCredentialStorage inner = new();
        private int reads;

        public int Reads => Volatile.Read(ref reads);

        public async Task<StoredCredential?> ReadAsync(string name, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref reads);
            await Task.Delay(20, cancellationToken);
            return await inner.ReadAsync(name, cancellationToken);
        }

        public Task<StoredCredential> WriteAsync(StoredCredential row, CancellationToken cancellationToken = default) => inner.WriteAsync(row, cancellationToken);

        public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);

        public Task<IReadOnlyList<StoredCredential>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public IDisposable Watch(Action<string?> changed) => inner.Watch(changed);
    }
}
