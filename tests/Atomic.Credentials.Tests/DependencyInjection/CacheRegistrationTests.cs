using Atomic.Credentials.Caching;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;

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
}
