using System.Text.Json;
using System.Text.Json.Nodes;
using static Atomic.Credentials.Tests.Store.SavedDefinitions;

namespace Atomic.Credentials.Tests.Store;

/// <summary>A definition start-up configuration would refuse is refused by the store, naming the field, never the value, and nothing changes.</summary>
public sealed class StoreRefusalTests
{
    private static IEnumerable<TestCaseData> InvalidDefinitions()
    {
        TestCaseData Case(string type, string field, Func<JsonElement, JsonElement> spoil, string? value = null) =>
            new TestCaseData(type, field, spoil, value).SetArgDisplayNames(type, field, value ?? "(left out)");
        static Func<JsonElement, JsonElement> Set(string field, JsonNode? value) => definition => With(definition, field, value);
        static Func<JsonElement, JsonElement> Drop(string field) => definition => Without(definition, field);

        yield return Case("BasicAuth", "Username", Drop("Username"));
        yield return Case("BasicAuth", "Username", Set("Username", "svc:Xyzzy-colon"), "svc:Xyzzy-colon");
        yield return Case("BasicAuth", "AllowedHosts", Set("AllowedHosts", new JsonArray("bad host!"))); // hosts are public: the message quotes them
        yield return Case("BasicAuth", "AllowInsecureTransport", Set("AllowInsecureTransport", "Xyzzy-maybe"), "Xyzzy-maybe");
        yield return Case("CustomHeaders", "Headers", Drop("Headers"));
        yield return Case("CustomHeaders", "Headers", Set("Headers", new JsonObject { ["Host"] = "Xyzzy-host" }), "Xyzzy-host");
        yield return Case("CustomHeaders", "Headers", Set("Headers", new JsonObject { ["X-Key"] = "Xyzzy\u00e9-not-ascii" }), "Xyzzy\u00e9-not-ascii");
        yield return Case("OAuthClientCredentials", "IdentityUrl", Set("IdentityUrl", "ftp://Xyzzy.example.com/token"), "ftp://Xyzzy.example.com/token");
        yield return Case("OAuthClientCredentials", "IdentityUrl", Set("IdentityUrl", "http://Xyzzy.example.com/token"), "http://Xyzzy.example.com/token");
        yield return Case("OAuthClientCredentials", "ClientId", Drop("ClientId"));
        yield return Case("OAuthClientCredentials", "ClientSecret", Drop("ClientSecret"));
        yield return Case("OAuthClientCredentials", "CacheDuration", Set("CacheDuration", "3.00:00:00"));
        yield return Case("OAuthClientCredentials", "RequestScheme", Set("RequestScheme", "Xyzzy-carrier-pigeon"), "Xyzzy-carrier-pigeon");
        yield return Case("OAuthClientCredentials", "AdditionalParameters", Set("AdditionalParameters", new JsonObject { ["client_secret"] = "Xyzzy-param" }), "Xyzzy-param");
        yield return Case("AwsSignedRequest", "Region", Drop("Region"));
        yield return Case("AwsSignedRequest", "AccessKeyId", Drop("AccessKeyId"));
        yield return Case("AwsSignedRequest", "Expires", Set("Expires", "8.00:00:00"));
        yield return Case("AwsSignedRequest", "Service", Set("Service", "Xyzzy/s3"), "Xyzzy/s3");
        yield return Case("AwsSignedRequest", "RegionSet", Set("SigningAlgorithm", "SigV4a"));
        yield return Case("AwsSignedRequest", "RegionSet", Set("RegionSet", new JsonArray("us-east-1")));
        yield return Case("KeyPair", "PrivateKey", Set("PrivateKey", "-----BEGIN PRIVATE KEY-----Xyzzy-----END PRIVATE KEY-----"), "Xyzzy");
        yield return Case("KeyPair", "Passphrase", Set("Passphrase", "Xyzzy-wrong-passphrase"), "Xyzzy-wrong-passphrase");
        yield return Case("KeyPair", "Issuer", Drop("Issuer"));
        yield return Case("KeyPair", "Lifetime", Set("Lifetime", "00:00:00"));
        yield return Case("KeyPair", "Lifetime", Set("Lifetime", "Xyzzy-soon"), "Xyzzy-soon");
        yield return Case("SalesforceMarketingCloud", "Subdomain", Set("Subdomain", "https://Xyzzy.auth.marketingcloudapis.com/"), "https://Xyzzy.auth.marketingcloudapis.com/");
        yield return Case("SalesforceMarketingCloud", "AccountId", Set("AccountId", "Xyzzy-mid"), "Xyzzy-mid");
        yield return Case("SalesforceMarketingCloud", "ClientSecret", Drop("ClientSecret"));
        yield return Case("Marketo", "IdentityUrl", Set("IdentityUrl", "https://123-ABC-456.mktorest.com/identity?Xyzzy=1"), "Xyzzy=1");
        yield return Case("Marketo", "ClientId", Drop("ClientId"));
        yield return Case("S3Bucket", "BucketName", Set("BucketName", "Xyzzy_Bucket"), "Xyzzy_Bucket");
        yield return Case("S3Bucket", "Region", Set("Region", "eu west Xyzzy"), "eu west Xyzzy");
        yield return Case("S3Bucket", "SecretAccessKey", Drop("SecretAccessKey"));
    }

    [TestCaseSource(nameof(InvalidDefinitions))]
    public async Task An_invalid_definition_is_refused_naming_the_field_and_the_store_is_unchanged(
        string type, string field, Func<JsonElement, JsonElement> spoil, string? value)
    {
        using var harness = new StoreHarness();
        var valid = All().First(saved => saved.Type == type);
        await harness.Store.SaveAsync("acme/x", valid.Definition);

        var refused = Assert.ThrowsAsync<CredentialException>(() => harness.Store.SaveAsync("acme/x", spoil(valid.Definition)));

        Assert.That(refused!.CredentialName, Is.EqualTo("acme/x"));
        Assert.That(refused.Kind, Is.EqualTo(type));
        Assert.That(refused.Message, Does.Contain(field));
        Assert.That(refused.InnerException, Is.Null);
        if (value is not null)
        {
            Assert.That(refused.ToString(), Does.Not.Contain(value));
        }

        foreach (var marker in valid.Markers)
        {
            Assert.That(refused.ToString(), Does.Not.Contain(marker));
        }

        var kept = (await harness.Store.ResolveAsync("acme/x", CancellationToken.None))!;
        Assert.That(kept.Version, Is.EqualTo(1));
        Assert.That(JsonElement.DeepEquals(kept.Definition, valid.Definition), Is.True, "the saved definition is the valid one");
        Assert.That((await harness.Store.ListAsync()).Select(info => info.Version), Is.EqualTo(new[] { 1L }));
    }

    [TestCase("""{ "Type": "Xyzzy", "Username": "u" }""", "Type is not a credential kind")]
    [TestCase("""{ "Username": "u", "Password": "p" }""", "Type is required")]
    [TestCase("""{ "Type": "BasicAuth", "Username": "u", "Password": "p", "Pasword": "Xyzzy" }""", "Pasword is not a field of this kind")]
    [TestCase("""{ "Type": "BasicAuth", "Username": "u", "Password": "p", "password": "Xyzzy" }""", "has a field twice")]
    [TestCase("""[ "BasicAuth" ]""", "must be a JSON object")]
    [TestCase("\"Xyzzy\"", "must be a JSON object")]
    public void A_definition_of_no_known_kind_or_with_unknown_fields_is_refused(string json, string problem)
    {
        using var harness = new StoreHarness();

        var refused = Assert.ThrowsAsync<CredentialException>(() => harness.Store.SaveAsync("acme/x", Json(json)));

        Assert.That(refused!.Message, Does.Contain(problem));
        Assert.That(refused.Message, Does.Not.Contain("Xyzzy").And.Not.Contain("\"p\""));
    }

    [TestCase("", "must not be empty")]
    [TestCase("   ", "must not be empty")]
    [TestCase(" acme/a", "white space")]
    [TestCase("acme/a\n", "white space")]
    [TestCase("acme/\u0001a", "control characters")]
    [TestCase("acme/\u007fa", "control characters")]
    [TestCase("lone surrogate", "lone surrogate")]
    public async Task A_bad_name_is_refused_and_nothing_is_saved(string name, string problem)
    {
        using var harness = new StoreHarness();
        name = name == "lone surrogate" ? "acme/\ud800a" : name; // an attribute cannot hold a lone surrogate

        var refused = Assert.ThrowsAsync<CredentialException>(() => harness.Store.SaveAsync(name, All()[0].Definition));

        Assert.That(refused!.Message, Does.Contain(problem));
        Assert.That(await harness.Store.ListAsync(), Is.Empty);
    }

    [Test]
    public async Task A_name_longer_than_256_characters_is_refused()
    {
        using var harness = new StoreHarness();

        var refused = Assert.ThrowsAsync<CredentialException>(() => harness.Store.SaveAsync(new string('a', 257), All()[0].Definition));

        Assert.That(refused!.Message, Does.Contain("257 characters long; at most 256"));
        Assert.That(await harness.Store.ListAsync(), Is.Empty);
    }
}
