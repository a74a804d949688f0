using Atomic.Credentials.DependencyInjection;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.DependencyInjection;

/// <summary>
/// A bad value in configuration fails at start-up naming the credential and the field, never the
/// value: whatever was pasted by mistake (a password in a URL, a key in the wrong field) stays out of
/// every message, inner exception and <c>ToString()</c>.
/// </summary>
public sealed class StartupErrorTests
{
    private const string Secret = "pa55-SECRET-VALUE";

    [Test]
    public async Task An_allowed_host_entry_is_named_by_its_index_never_repeated()
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("legacy", "BasicAuth", fields =>
        {
            fields["AllowedHosts:0"] = "api.example.com";
            fields["AllowedHosts:1"] = "*.example.com";
            fields["AllowedHosts:2"] = $"https://svc:{Secret}@api.example.com/";
        }));

        AssertNamedNotRepeated(failures, "Credential 'legacy' (BasicAuth): AllowedHosts[2] must be a host name only");
        Assert.That(ConfiguredStart.AllText(failures), Does.Not.Contain("AllowedHosts[0]").And.Not.Contain("AllowedHosts[1]"));
    }

    [TestCase("https://" + Secret + ".example.com/", "must be a host name only")]
    [TestCase("*." + Secret + "*.example.com", "may use '*' only as its whole first label")]
    [TestCase(Secret + "_\u00e9..example.com", "is not a valid host name")]
    public async Task Every_allowed_host_problem_leaves_the_entry_out(string entry, string problem)
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("apikey", "CustomHeaders", fields => fields["AllowedHosts:0"] = entry));

        AssertNamedNotRepeated(failures, "Credential 'apikey' (CustomHeaders): AllowedHosts[0] " + problem);
    }

    [Test]
    public async Task An_unknown_type_is_refused_listing_the_kinds_without_repeating_it()
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("odd", "BasicAuth", fields => fields["Type"] = Secret));

        AssertNamedNotRepeated(failures, "Credential 'odd': Type is not a credential kind (one of BasicAuth, CustomHeaders, KeyPair");
    }

    [TestCase("KeyPair", "Credential 'partner' (KeyPair): Algorithm is not supported; use one of RS256")]
    [TestCase("OAuthClientCredentials", "Credential 'partner' (OAuthClientCredentials): Algorithm is not supported; use one of RS256")]
    public async Task An_unknown_algorithm_is_refused_without_repeating_it(string type, string expected)
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("partner", type, fields =>
        {
            fields["Algorithm"] = Secret;
            if (type == "OAuthClientCredentials")
            {
                fields["ClientAuthentication"] = "PrivateKeyJwt";
                fields["PrivateKey"] = KeyPair.TestKeys.Pkcs8("RS256");
                fields.Remove("ClientSecret");
            }
        }));

        AssertNamedNotRepeated(failures, expected);
    }

    [Test]
    public async Task A_PEM_block_of_an_unknown_label_is_refused_without_repeating_the_label()
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("partner", "KeyPair", fields =>
            fields["PrivateKey"] = $"-----BEGIN {Secret}-----\nAAAA\n-----END {Secret}-----\n"));

        AssertNamedNotRepeated(failures, "Credential 'partner' (KeyPair): PrivateKey holds a PEM block that is not a private key this package reads");
    }

    [Test]
    public async Task A_header_line_pasted_as_a_header_name_is_not_repeated()
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("apikey", "CustomHeaders", fields =>
            fields["Headers:Authorization Bearer " + Secret] = "x"));

        AssertNamedNotRepeated(failures, "Credential 'apikey' (CustomHeaders): Headers has a header name that is not an HTTP token");
    }

    [TestCase("BasicAuth", "AllowInsecureTransport", "true or false")]
    [TestCase("OAuthClientCredentials", "CacheDuration", "a time span")]
    [TestCase("OAuthClientCredentials", "RequestScheme", "one of Body, Query")]
    [TestCase("OAuthClientCredentials", "RetryOnUnauthorized", "true or false")]
    [TestCase("KeyPair", "CacheLifetimeRatio", "a number")]
    [TestCase("KeyPair", "Lifetime", "a time span")]
    [TestCase("AwsSignedRequest", "PayloadSigning", "one of Signed, Unsigned")]
    [TestCase("S3Bucket", "PresignedUrlExpiry", "a time span")]
    [TestCase("Marketo", "TokenRequestTimeout", "a time span")]
    public async Task A_value_the_binder_cannot_convert_names_credential_field_and_type_never_the_value(string type, string field, string expected)
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("cred", type, fields => fields[field] = Secret));

        AssertNamedNotRepeated(failures, $"Credential 'cred' ({type}): {field} must be {expected}");
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Not.Empty.And.All.InstanceOf<OptionsValidationException>());
            Assert.That(ConfiguredStart.AllText(failures), Does.Contain($"AtomicCredentials:cred:{field}"), "the configuration path");
        });
    }

    [Test]
    public async Task Every_value_that_cannot_be_converted_is_reported_at_once()
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("crm", "OAuthClientCredentials", fields =>
        {
            fields["AllowInsecureTransport"] = Secret + "1";
            fields["CacheDuration"] = Secret + "2";
        }));

        AssertNamedNotRepeated(failures, "Credential 'crm' (OAuthClientCredentials): AllowInsecureTransport must be true or false");
        AssertNamedNotRepeated(failures, "Credential 'crm' (OAuthClientCredentials): CacheDuration must be a time span");
    }

    [Test]
    public void A_definition_bound_at_run_time_fails_the_same_way()
    {
        var kind = CredentialKinds.FindByType("OAuthClientCredentials")!;
        var definition = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IdentityUrl"] = "https://login.example.com/token",
            ["ClientId"] = "id",
            ["ClientSecret"] = Secret,
            ["CacheDuration"] = Secret,
        }).Build();

        var error = Assert.Throws<OptionsValidationException>(() => kind.BindNew(definition, "acme/crm"));

        AssertNamedNotRepeated([error!], "Credential 'acme/crm' (OAuthClientCredentials): CacheDuration must be a time span");
        Assert.That(error!.InnerException, Is.Null, "the binder's exception quotes the value");
    }

    [Test]
    public void A_definition_bound_at_run_time_gets_every_field()
    {
        var kind = CredentialKinds.FindByType("KeyPair")!;
        var definition = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Issuer"] = "atomic",
            ["Lifetime"] = "00:02:00",
            ["Claims:tenant"] = "t1",
            ["Claims:level"] = "3",
        }).Build();

        var options = (KeyPairOptions)kind.BindNew(definition, "partner");

        Assert.Multiple(() =>
        {
            Assert.That(options.Issuer, Is.EqualTo("atomic"));
            Assert.That(options.Lifetime, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(options.Claims["level"], Is.EqualTo(3L), "claims keep their JSON types");
        });
    }

    [Test]
    public void A_value_reloaded_into_a_bad_one_fails_without_repeating_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            ConfiguredStart.Credential("legacy", "BasicAuth").ToDictionary(pair => $"{ConfiguredStart.Section}:{pair.Key}", pair => pair.Value)).Build();
        var services = new ServiceCollection().AddAtomicCredentials(configuration.GetSection(ConfiguredStart.Section));
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<BasicAuthOptions>>();
        Assert.That(monitor.Get("legacy").AllowInsecureTransport, Is.False);

        configuration[$"{ConfiguredStart.Section}:legacy:AllowInsecureTransport"] = Secret;
        // The monitor rebinds as the reload is announced, so the reload itself reports the failure.
        var onReload = Assert.Catch(configuration.Reload);
        var onGet = Assert.Throws<OptionsValidationException>(() => monitor.Get("legacy"));

        AssertNamedNotRepeated([onReload!, onGet!], "Credential 'legacy' (BasicAuth): AllowInsecureTransport must be true or false");
    }

    private static void AssertNamedNotRepeated(List<Exception> failures, string expected)
    {
        var text = ConfiguredStart.AllText(failures);
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Not.Empty, "the bad value must fail");
            Assert.That(text, Does.Contain(expected));
            Assert.That(text, Does.Not.Contain("SECRET").IgnoreCase, "the value is repeated");
        });
    }
}
