using Atomic.Credentials.Caching;
using Atomic.Credentials.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.Tests.Store;

public sealed class CredentialStoreRegistrationTests
{
    [Test]
    public async Task The_store_is_one_singleton_over_the_chosen_storage_encrypting_with_data_protection()
    {
        var services = new ServiceCollection().AddAtomicCredentialStore(options => options.UseInMemory());
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<ICredentialStore>();
        await store.SaveAsync("acme/a", SavedDefinitions.All()[0].Definition);

        Assert.That(store, Is.SameAs(provider.GetRequiredService<ICredentialStore>()).And.SameAs(provider.GetRequiredService<CredentialStore>()));
        Assert.That(provider.GetRequiredService<ICredentialStorage>(), Is.TypeOf<InMemoryCredentialStorage>());
        Assert.That(provider.GetService<IDataProtectionProvider>(), Is.Not.Null);
        Assert.That(await provider.GetRequiredService<CredentialStore>().ResolveAsync("acme/a", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public void Without_a_choice_the_store_keeps_a_registered_storage_else_uses_the_sqlite_file()
    {
        var registered = new InMemoryCredentialStorage();
        using var withOwn = new ServiceCollection().AddSingleton<ICredentialStorage>(registered).AddAtomicCredentialStore().BuildServiceProvider();
        using var withDefault = new ServiceCollection().AddAtomicCredentialStore().BuildServiceProvider();

        Assert.That(withOwn.GetRequiredService<ICredentialStorage>(), Is.SameAs(registered));
        var sqlite = withDefault.GetRequiredService<ICredentialStorage>() as SqliteCredentialStorage;
        Assert.That(sqlite?.FilePath, Is.EqualTo(CredentialStoreOptions.DefaultSqlitePath));
    }

    [Test]
    public void A_storage_chosen_in_the_options_wins_over_one_registered_before()
    {
        var path = Path.Combine(Path.GetTempPath(), $"store-{Guid.NewGuid():N}.db");
        using var provider = new ServiceCollection()
            .AddSingleton<ICredentialStorage>(new InMemoryCredentialStorage())
            .AddAtomicCredentialStore(options => options.UseSqlite(path))
            .BuildServiceProvider();

        Assert.That((provider.GetRequiredService<ICredentialStorage>() as SqliteCredentialStorage)?.FilePath, Is.EqualTo(path));
    }

    [Test]
    public async Task A_protector_and_a_storage_of_ones_own_are_used()
    {
        var storage = new InMemoryCredentialStorage();
        var protector = new CountingProtector();
        await using var provider = new ServiceCollection()
            .AddAtomicCredentialStore(options => options.UseStorage(_ => storage).UseProtector(_ => protector))
            .BuildServiceProvider();

        await provider.GetRequiredService<ICredentialStore>().SaveAsync("a", SavedDefinitions.All()[0].Definition);

        Assert.That(protector.Protected, Is.EqualTo(1));
        Assert.That(await storage.ReadAsync("a"), Is.Not.Null);
        Assert.That(provider.GetService<IDataProtectionProvider>(), Is.Null, "Data Protection is added only when it is the protector");
    }

    private sealed class CountingProtector : ICredentialProtector
    {
        public int Protected { get; private set; }

        public byte[] Protect(byte[] plaintext)
        {
            Protected++;
            return [.. plaintext.Select(value => (byte)(value ^ 0x5a))];
        }

        public byte[] Unprotect(byte[] protectedData) => [.. protectedData.Select(value => (byte)(value ^ 0x5a))];
    }
}
