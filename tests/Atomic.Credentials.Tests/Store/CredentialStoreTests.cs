using System.Text.Json;
using Atomic.Credentials.Store;
using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.Tests.Store;

public sealed class CredentialStoreTests
{
    private static IEnumerable<TestCaseData> Kinds() => SavedDefinitions.All().Select(saved => new TestCaseData(saved).SetArgDisplayNames(saved.ToString()));

    [TestCaseSource(nameof(Kinds))]
    public async Task Every_kind_saves_shows_only_its_public_fields_resolves_and_deletes(SavedDefinition saved)
    {
        using var harness = new StoreHarness();
        var store = harness.Store;

        var info = await store.SaveAsync("acme/one", saved.Definition);

        Assert.That(info.Name, Is.EqualTo("acme/one"));
        Assert.That(info.Type, Is.EqualTo(saved.Type));
        Assert.That(info.Version, Is.EqualTo(1));
        var shown = info.Fields.EnumerateObject().Select(field => field.Name).ToArray();
        Assert.That(shown, Is.EquivalentTo(saved.PublicFields), "every public field is shown, and nothing else");
        Assert.That((await store.GetInfoAsync("acme/one"))!.Fields.GetRawText(), Is.EqualTo(info.Fields.GetRawText()));
        Assert.That((await store.ListAsync()).Select(item => item.Name), Is.EqualTo(new[] { "acme/one" }));

        var resolved = (await store.ResolveAsync("acme/one", CancellationToken.None))!;
        Assert.That(resolved.Kind.Type, Is.EqualTo(saved.Type));
        Assert.That(resolved.Version, Is.EqualTo(1));
        Assert.That(resolved.Options.Kind, Is.EqualTo(saved.Type));
        Assert.That(JsonElement.DeepEquals(resolved.Definition, saved.Definition), Is.True, "the secrets come back from the protector as saved");

        Assert.That(await store.DeleteAsync("acme/one"), Is.True);
        Assert.That(await store.GetInfoAsync("acme/one"), Is.Null);
        Assert.That(await store.ResolveAsync("acme/one", CancellationToken.None), Is.Null);
        Assert.That(await store.ListAsync(), Is.Empty);
        Assert.That(await store.DeleteAsync("acme/one"), Is.False);
    }

    [Test]
    public async Task Secrets_are_bound_into_the_options_as_configuration_binds_them()
    {
        using var harness = new StoreHarness();
        var definition = SavedDefinitions.Json("""
            { "type": "keypair", "PrivateKey": "", "Issuer": "atomic", "Lifetime": "00:02:00", "Claims": { "tenant": "t1", "n": 5, "flag": true } }
            """);
        var pem = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();
        definition = SavedDefinitions.With(SavedDefinitions.With(definition, "PrivateKey", pem), "Algorithm", "ES256");

        var info = await harness.Store.SaveAsync("partner", definition);
        var options = (KeyPairOptions)(await harness.Store.ResolveAsync("partner", CancellationToken.None))!.Options;

        Assert.That(info.Type, Is.EqualTo("KeyPair"), "the kind's own spelling");
        Assert.That(options.Lifetime, Is.EqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(options.PrivateKey, Is.EqualTo(pem));
        Assert.That(options.Claims["n"], Is.EqualTo(5L), "claims typed as KeyPairConfiguration types them");
        Assert.That(options.Claims["flag"], Is.EqualTo(true));
    }

    [Test]
    public async Task Saving_again_replaces_the_definition_with_the_next_version()
    {
        using var harness = new StoreHarness();
        var first = SavedDefinitions.Json("""{ "Type": "BasicAuth", "Username": "u", "Password": "one" }""");
        await harness.Store.SaveAsync("legacy", first);

        var second = await harness.Store.SaveAsync("legacy", SavedDefinitions.With(first, "Password", "two"));
        var third = await harness.Store.SaveAsync("legacy", SavedDefinitions.With(first, "Password", "three"));

        Assert.That((second.Version, third.Version), Is.EqualTo((2L, 3L)));
        var resolved = (await harness.Store.ResolveAsync("legacy", CancellationToken.None))!;
        Assert.That(((BasicAuthOptions)resolved.Options).Password, Is.EqualTo("three"));
        Assert.That(resolved.Version, Is.EqualTo(3));
        Assert.That((await harness.Store.GetInfoAsync("legacy"))!.Version, Is.EqualTo(3));
    }

    [Test]
    public async Task Listing_by_prefix_returns_that_tenant_only_in_ordinal_order()
    {
        using var harness = new StoreHarness();
        var definition = SavedDefinitions.Json("""{ "Type": "BasicAuth", "Username": "u", "Password": "p" }""");
        foreach (var name in new[] { "globex/a", "acme/b", "acme/a", "acme", "acme/B", "acmex/a" })
        {
            await harness.Store.SaveAsync(name, definition);
        }

        Assert.That((await harness.Store.ListAsync("acme/")).Select(info => info.Name), Is.EqualTo(new[] { "acme/B", "acme/a", "acme/b" }));
        Assert.That((await harness.Store.ListAsync()).Select(info => info.Name),
            Is.EqualTo(new[] { "acme", "acme/B", "acme/a", "acme/b", "acmex/a", "globex/a" }));
        Assert.That(await harness.Store.ListAsync("initech/"), Is.Empty);
    }

    [Test]
    public async Task A_name_of_256_characters_with_slashes_colons_and_unicode_is_kept_as_it_is()
    {
        using var harness = new StoreHarness();
        var name = ("tenant:é/ü/" + new string('x', 300))[..256];

        await harness.Store.SaveAsync(name, SavedDefinitions.Json("""{ "Type": "BasicAuth", "Username": "u", "Password": "p" }"""));

        Assert.That((await harness.Store.ResolveAsync(name, CancellationToken.None))!.Name, Is.EqualTo(name));
    }

    [Test]
    public async Task Watchers_hear_of_saves_and_deletes_by_name_until_disposed()
    {
        using var harness = new StoreHarness();
        var heard = new List<string?>();
        var definition = SavedDefinitions.Json("""{ "Type": "BasicAuth", "Username": "u", "Password": "p" }""");

        var subscription = harness.Store.Watch(heard.Add);
        await harness.Store.SaveAsync("acme/a", definition);
        await harness.Store.DeleteAsync("acme/a");
        await harness.Store.DeleteAsync("acme/a");
        subscription.Dispose();
        await harness.Store.SaveAsync("acme/b", definition);

        Assert.That(heard, Is.EqualTo(new[] { "acme/a", "acme/a" }));
    }

    [Test]
    public async Task A_configuration_section_is_imported_in_one_call()
    {
        using var harness = new StoreHarness();
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:legacy:Type"] = "BasicAuth",
            ["AtomicCredentials:legacy:Username"] = "u",
            ["AtomicCredentials:legacy:Password"] = "p",
            ["AtomicCredentials:legacy:AllowedHosts:0"] = "a.example.com",
            ["AtomicCredentials:legacy:AllowedHosts:1"] = "b.example.com",
            ["AtomicCredentials:legacy:AllowInsecureTransport"] = "true",
            ["AtomicCredentials:apikey:Type"] = "CustomHeaders",
            ["AtomicCredentials:apikey:Headers:X-Api-Key"] = "k",
        }).Build().GetSection("AtomicCredentials");

        var saved = await harness.Store.ImportAsync(section);

        Assert.That(saved.Select(info => info.Name), Is.EquivalentTo(new[] { "legacy", "apikey" }));
        var legacy = (BasicAuthOptions)(await harness.Store.ResolveAsync("legacy", CancellationToken.None))!.Options;
        Assert.That(legacy.AllowedHosts, Is.EqualTo(new[] { "a.example.com", "b.example.com" }));
        Assert.That(legacy.AllowInsecureTransport, Is.True);
        Assert.That((await harness.Store.GetInfoAsync("legacy"))!.Fields.GetProperty("AllowedHosts").ValueKind, Is.EqualTo(JsonValueKind.Array));
        var apikey = (CustomHeadersOptions)(await harness.Store.ResolveAsync("apikey", CancellationToken.None))!.Options;
        Assert.That(apikey.Headers["X-Api-Key"], Is.EqualTo("k"));
    }

    [Test]
    public async Task An_import_with_one_invalid_credential_saves_nothing_and_names_each_refused_one()
    {
        using var harness = new StoreHarness();
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["c:good:Type"] = "BasicAuth",
            ["c:good:Username"] = "u",
            ["c:good:Password"] = "p",
            ["c:bad:Type"] = "BasicAuth",
            ["c:bad:Username"] = "u:x",
            ["c:worse:Type"] = "Telepathy",
        }).Build().GetSection("c");

        var refused = Assert.ThrowsAsync<CredentialException>(() => harness.Store.ImportAsync(section));

        Assert.That(refused!.Message, Does.Contain("'bad'").And.Contain("Username").And.Contain("'worse'").And.Contain("Type is not a credential kind").And.Not.Contain("Telepathy"));
        Assert.That(await harness.Store.ListAsync(), Is.Empty);
    }

    [Test]
    public async Task Saves_and_deletes_are_logged_by_name()
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/a", SavedDefinitions.Json("""{ "Type": "BasicAuth", "Username": "u", "Password": "p" }"""));
        await harness.Store.DeleteAsync("acme/a");

        var lines = harness.Telemetry.Logs.GetSnapshot().Select(record => record.Message).ToArray();
        Assert.That(lines, Is.EqualTo(new[] { "Saved credential 'acme/a' (BasicAuth) saved as version 1", "Saved credential 'acme/a' deleted" }));
    }
}
