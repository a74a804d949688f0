using Atomic.Credentials.Caching;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace Atomic.Credentials.Tests.DependencyInjection;

public sealed class CacheRegistrationTests
{
    [Test]
    public void One_line_switches_every_credential_to_the_distributed_cache()
    {
        var services = new ServiceCollection().AddDistributedMemoryCache();
        services.AddAtomicCredential("crm", (BasicAuthOptions o) => { o.Username = "u"; o.Password = "p"; });
        services.AddAtomicCredentialsDistributedCache();
        using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ICredentialCache>(), Is.TypeOf<DistributedCredentialCache>());
            Assert.That(CredentialCaches.For(provider, "crm"), Is.SameAs(provider.GetRequiredService<ICredentialCache>()));
        });
    }

    [Test]
    public void One_credential_can_use_the_distributed_cache_while_the_others_stay_in_memory()
    {
        var services = new ServiceCollection().AddDistributedMemoryCache();
        services.AddAtomicCredentialsDistributedCache("crm");
        services.AddAtomicCredential("other", (BasicAuthOptions o) => { o.Username = "u"; o.Password = "p"; });
        using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(CredentialCaches.For(provider, "crm"), Is.TypeOf<DistributedCredentialCache>());
            Assert.That(CredentialCaches.For(provider, "other"), Is.TypeOf<MemoryCredentialCache>());
        });
    }

    [Test]
    public void Without_a_distributed_cache_registered_the_error_says_what_to_register()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredentialsDistributedCache();
        using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<ICredentialCache>(),
            Throws.InvalidOperationException.With.Message.Contains("IDistributedCache").And.Message.Contains("AddStackExchangeRedisCache"));
    }

    [Test]
    public void Bad_cache_options_fail_at_registration_naming_the_field()
    {
        var services = new ServiceCollection();
        Assert.That(() => services.AddAtomicCredentialsDistributedCache(o => o.RetryAfter = TimeSpan.FromSeconds(-1)),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("RetryAfter"));
    }

    [TestCase(nameof(DistributedCredentialCacheOptions.LeaseDuration), -1)]
    [TestCase(nameof(DistributedCredentialCacheOptions.LeaseDuration), 61)]
    [TestCase(nameof(DistributedCredentialCacheOptions.LeaseWait), -1)]
    [TestCase(nameof(DistributedCredentialCacheOptions.LeaseWait), 61)]
    public void Bad_lease_options_fail_at_registration_naming_the_field(string field, int seconds)
    {
        var value = TimeSpan.FromSeconds(seconds);
        Assert.That(
            () => new ServiceCollection().AddAtomicCredentialsDistributedCache(o =>
            {
                if (field == nameof(o.LeaseDuration))
                {
                    o.LeaseDuration = value;
                }
                else
                {
                    o.LeaseWait = value;
                }
            }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("DistributedCredentialCacheOptions." + field).And.Property("ParamName").EqualTo(field));
    }

    [Test]
    public void Lease_defaults_are_five_and_ten_seconds_and_zero_turns_the_election_off()
    {
        var options = new DistributedCredentialCacheOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.LeaseDuration, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.LeaseWait, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(() => new ServiceCollection().AddAtomicCredentialsDistributedCache(o => o.LeaseDuration = TimeSpan.Zero), Throws.Nothing);
        });
    }
}

public sealed class SharedMaterialThroughConfigurationTests
{
    [Test]
    public async Task Two_instances_configured_from_a_section_share_one_key_pair_jwt_through_the_distributed_cache()
    {
        var store = new Caching.TestStore(); // one shared store: what Redis is to a fleet
        var seen = new List<string>();
        var key = Tests.KeyPair.TestKeys.Pkcs8("ES256");

        async Task<string> RunInstanceAsync()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(request =>
            {
                lock (seen)
                {
                    seen.Add(request.Headers.Authorization!.Parameter!);
                }

                return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
            });
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["AtomicCredentials:partner:Type"] = "KeyPair",
                    ["AtomicCredentials:partner:PrivateKey"] = key,
                    ["AtomicCredentials:partner:Algorithm"] = "ES256",
                    ["AtomicCredentials:partner:Issuer"] = "atomic",
                })
                .Build();
            var services = new ServiceCollection();
            services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
            services.AddAtomicCredentialsDistributedCache(o => o.Store = _ => store);
            services.AddHttpClient("partner").AddAtomicCredentialHandler("partner").ConfigurePrimaryHttpMessageHandler(() => mock);
            await using var provider = services.BuildServiceProvider();
            using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("partner")
                .GetAsync(new Uri("https://partner.example.com/orders"));
            for (var i = 0; i < 1000 && store.Sets == 0; i++) // the write is in the background: up to 10 s on a loaded machine
            {
                await Task.Delay(10);
            }

            return response.RequestMessage!.Headers.Authorization!.Parameter!;
        }

        var first = await RunInstanceAsync();
        var second = await RunInstanceAsync();

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first), "the second instance was served the first one's JWT");
            Assert.That(seen, Has.Count.EqualTo(2));
            Assert.That(store.Sets, Is.EqualTo(1), "one JWT signed and stored for both");
        });
    }
}
