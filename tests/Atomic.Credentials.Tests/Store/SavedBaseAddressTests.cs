using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.Tests.Store;

/// <summary>
/// <see cref="Atomic.Credentials.Store.CredentialStore.GetBaseAddressAsync"/>: a saved preset's API address is
/// the one the same definition, configured, gives its client; a plain kind has none.
/// </summary>
public sealed class SavedBaseAddressTests
{
    private static IEnumerable<TestCaseData> EveryKind() => SavedDefinitions.All().Select(saved => new TestCaseData(saved));

    [TestCaseSource(nameof(EveryKind))]
    public async Task A_saved_definition_has_the_address_its_configured_client_gets(SavedDefinition saved)
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/x", saved.Definition);

        var address = await harness.Store.GetBaseAddressAsync("acme/x");

        Assert.That(address, Is.EqualTo(ConfiguredClientAddress(saved)));
        Assert.That(address is null, Is.EqualTo(saved.Type is not ("Marketo" or "SalesforceMarketingCloud" or "S3Bucket")), "only presets have an address");
    }

    [Test]
    public void A_name_nothing_was_saved_under_is_a_credential_failure_naming_it()
    {
        using var harness = new StoreHarness();

        var refused = Assert.ThrowsAsync<CredentialException>(async () => await harness.Store.GetBaseAddressAsync("acme/none"));

        Assert.That(refused!.CredentialName, Is.EqualTo("acme/none"));
    }

    // The same definition in configuration, a client attached to it by name: what AddAtomicCredentialHandler gives.
    private static Uri? ConfiguredClientAddress(SavedDefinition saved)
    {
        var json = new JsonObject { ["AtomicCredentials"] = new JsonObject { ["x"] = JsonNode.Parse(saved.Definition.GetRawText()) } }.ToJsonString();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        var services = new ServiceCollection();
        services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        services.AddHttpClient("x").AddAtomicCredentialHandler("x");
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IHttpClientFactory>().CreateClient("x").BaseAddress;
    }
}
