using Atomic.Credentials.Caching;
using Atomic.Credentials.Store;

namespace Atomic.Credentials.Tests.Store;

/// <summary>A row that does not decrypt as its own is refused at use, with a clear error, and never applied.</summary>
public sealed class StoreTamperTests
{
    private static readonly System.Text.Json.JsonElement Legacy =
        SavedDefinitions.Json("""{ "Type": "OAuthClientCredentials", "IdentityUrl": "https://login.example.com/token", "ClientId": "c", "ClientSecret": "s3cr3t-Xyzzy" }""");

    [Test]
    public async Task A_flipped_byte_of_the_ciphertext_is_refused()
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/crm", Legacy);
        var row = (await harness.Storage.ReadAsync("acme/crm"))!;
        var flipped = row.ProtectedSecrets.ToArray();
        flipped[^5] ^= 0x01;
        await harness.Storage.WriteAsync(row with { ProtectedSecrets = flipped });

        await AssertRefusedAsync(harness, "acme/crm");
    }

    [Test]
    public async Task Ciphertext_moved_onto_another_name_is_refused()
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/crm", Legacy);
        await harness.Store.SaveAsync("globex/crm", SavedDefinitions.With(Legacy, "ClientSecret", "globex-secret"));
        var acme = (await harness.Storage.ReadAsync("acme/crm"))!;

        await harness.Storage.WriteAsync(acme with { Name = "globex/crm" });

        await AssertRefusedAsync(harness, "globex/crm");
        Assert.That(await harness.Store.ResolveAsync("acme/crm", CancellationToken.None), Is.Not.Null, "the original row still opens");
    }

    [Test]
    public async Task A_public_field_changed_behind_the_store_is_refused()
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/crm", Legacy);
        var row = (await harness.Storage.ReadAsync("acme/crm"))!;

        // Sending the secret elsewhere by rewriting the clear part of the row.
        await harness.Storage.WriteAsync(row with { PublicFields = row.PublicFields.Replace("login.example.com", "attacker.example.net", StringComparison.Ordinal) });

        await AssertRefusedAsync(harness, "acme/crm");
    }

    [Test]
    public async Task A_type_changed_behind_the_store_is_refused()
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/crm", Legacy);
        var row = (await harness.Storage.ReadAsync("acme/crm"))!;

        await harness.Storage.WriteAsync(row with { Type = "Marketo" });

        await AssertRefusedAsync(harness, "acme/crm");
    }

    [Test]
    public async Task Public_fields_that_are_not_json_are_refused()
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/crm", Legacy);
        var row = (await harness.Storage.ReadAsync("acme/crm"))!;

        await harness.Storage.WriteAsync(row with { PublicFields = "{ not json" });

        await AssertRefusedAsync(harness, "acme/crm");
        Assert.ThrowsAsync<CredentialException>(() => harness.Store.GetInfoAsync("acme/crm"));
    }

    [Test]
    public async Task A_protector_with_other_keys_cannot_decrypt_and_is_refused()
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/crm", Legacy);

        var refused = Assert.ThrowsAsync<CredentialException>(async () => await harness.WithOtherKeys().ResolveAsync("acme/crm", CancellationToken.None));

        Assert.That(refused!.Message, Does.Contain("could not be decrypted: the protector's keys do not match or the row was altered"));
        Assert.That(refused.ToString(), Does.Not.Contain("Xyzzy"));
        Assert.That(await harness.WithOtherKeys().GetInfoAsync("acme/crm"), Is.Not.Null, "describing a credential never decrypts it");
    }

    [Test]
    public async Task A_protector_that_throws_is_refused_with_its_error_as_the_cause()
    {
        using var harness = new StoreHarness();
        var broken = new CredentialStore(harness.Storage, new ThrowingProtector());
        await harness.Store.SaveAsync("acme/crm", Legacy);

        var refused = Assert.ThrowsAsync<CredentialException>(async () => await broken.ResolveAsync("acme/crm", CancellationToken.None));

        Assert.That(refused!.Message, Does.Contain("could not be decrypted"));
        Assert.That(refused.InnerException, Is.TypeOf<System.Security.Cryptography.CryptographicException>());
    }

    [Test]
    public async Task A_sealed_row_that_no_longer_validates_is_refused_at_use()
    {
        using var harness = new StoreHarness();
        var protector = new DataProtectionCredentialProtector(harness.Keys);
        var kind = Atomic.Credentials.DependencyInjection.CredentialKinds.FindByType("BasicAuth")!;
        var (publicFields, secrets) = DefinitionSplit.Split(kind, SavedDefinitions.Json("""{ "Username": "svc:colon", "Password": "p" }"""));
        await harness.Storage.WriteAsync(new StoredCredential(
            "acme/legacy", "BasicAuth", publicFields, SecretEnvelope.Seal(protector, "acme/legacy", "BasicAuth", publicFields, secrets), 0, default));

        var refused = Assert.ThrowsAsync<CredentialException>(async () => await harness.Store.ResolveAsync("acme/legacy", CancellationToken.None));

        Assert.That(refused!.Message, Does.Contain("Username"));
        Assert.That(harness.Telemetry.Logs.LatestRecord.Message, Does.Contain("'acme/legacy' (BasicAuth) was refused at use"));
    }

    private static async Task AssertRefusedAsync(StoreHarness harness, string name)
    {
        var refused = Assert.ThrowsAsync<CredentialException>(async () => await harness.Store.ResolveAsync(name, CancellationToken.None));
        Assert.That(refused!.CredentialName, Is.EqualTo(name));
        Assert.That(refused.Message, Does.Contain("could not be decrypted: the protector's keys do not match or the row was altered"));
        Assert.That(refused.ToString(), Does.Not.Contain("Xyzzy").And.Not.Contain("globex-secret"));
        Assert.That(harness.Telemetry.Logs.LatestRecord.Message, Does.Contain($"'{name}'").And.Contain("was refused at use"));
        await Task.CompletedTask;
    }

    private sealed class ThrowingProtector : ICredentialProtector
    {
        public byte[] Protect(byte[] plaintext) => throw new System.Security.Cryptography.CryptographicException("no key");

        public byte[] Unprotect(byte[] protectedData) => throw new System.Security.Cryptography.CryptographicException("The key ring has no key.");
    }
}
