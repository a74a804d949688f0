using Atomic.Credentials.OAuth;
using Atomic.Credentials.Tests.KeyPair;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

public sealed class OAuthOptionsTests
{
    public static IEnumerable<TestCaseData> Invalid()
    {
        yield return Case("IdentityUrl is required", o => o.IdentityUrl = "");
        yield return Case("IdentityUrl must be an absolute http or https URL", o => o.IdentityUrl = "ftp://login.example.com/token");
        yield return Case("IdentityUrl must be an absolute http or https URL", o => o.IdentityUrl = "/oauth2/token");
        yield return Case("IdentityUrl must use https", o => o.IdentityUrl = "http://login.example.com/token");
        yield return Case("IdentityUrl must not contain user information or a fragment", o => o.IdentityUrl = TokenUrl + "#frag");
        yield return Case("IdentityUrl must not contain user information or a fragment", o => o.IdentityUrl = "https://user:pw@login.example.com/token");
        yield return Case("ClientId is required", o => o.ClientId = "");
        yield return Case("ClientSecret is required", o => o.ClientSecret = null);
        yield return Case("ClientSecret is required", o => (o.ClientSecret, o.ClientAuthentication) = ("", OAuthClientAuthentication.BasicHeader));
        yield return Case("ClientSecret must not contain control characters", o => o.ClientSecret = Secret + "\r\n");
        yield return Case("PrivateKey is required", o => (o.ClientAuthentication, o.Algorithm) = (OAuthClientAuthentication.PrivateKeyJwt, "RS256"));
        yield return Case("Algorithm is required", o => (o.ClientAuthentication, o.PrivateKey) = (OAuthClientAuthentication.PrivateKeyJwt, TestKeys.Pkcs8("RS256")));
        yield return Case("Algorithm ES256 does not fit an RSA key", o =>
            (o.ClientAuthentication, o.PrivateKey, o.Algorithm) = (OAuthClientAuthentication.PrivateKeyJwt, TestKeys.Pkcs8("RS256"), "ES256"));
        yield return Case("RequestScheme must be one of Body, Query", o => o.RequestScheme = (OAuthRequestScheme)7);
        yield return Case("ClientAuthentication must be one of", o => o.ClientAuthentication = (OAuthClientAuthentication)7);
        yield return Case("CacheDuration must be more than zero", o => o.CacheDuration = TimeSpan.Zero);
        yield return Case("TokenRequestTimeout must be more than zero", o => o.TokenRequestTimeout = TimeSpan.FromSeconds(-1));
        yield return Case("TokenRetryBackoffMin must be more than zero", o => o.TokenRetryBackoffMin = TimeSpan.Zero);
        yield return Case("TokenRetryBackoffMax must be at least TokenRetryBackoffMin", o => o.TokenRetryBackoffMax = TimeSpan.FromSeconds(1));
        yield return Case("TokenRetryBackoffMax must be at least TokenRetryBackoffMin and at most one day", o => o.TokenRetryBackoffMax = TimeSpan.FromDays(2));
        yield return Case("AdditionalParameters:client_secret is a parameter the credential sets itself", o => o.AdditionalParameters["client_secret"] = Secret);
        yield return Case("AdditionalParameters:grant_type is a parameter the credential sets itself", o => o.AdditionalParameters["grant_type"] = "password");
        yield return Case("AdditionalParameters:scope is a parameter the credential sets itself", o => o.AdditionalParameters["scope"] = "other");
        yield return Case("AdditionalParameters has an empty parameter name", o => o.AdditionalParameters[""] = "x");
        yield return Case("AllowedHosts[0] must be a host name only", o => o.AllowedHosts.Add("https://api.example.com/"));

        static TestCaseData Case(string expected, Action<OAuthClientCredentialsOptions> breakIt) =>
            new TestCaseData(expected, breakIt).SetArgDisplayNames(expected);
    }

    [TestCaseSource(nameof(Invalid))]
    public void Bad_options_are_refused_naming_credential_kind_and_field_never_the_secret(string expected, Action<OAuthClientCredentialsOptions> breakIt)
    {
        var options = Options(breakIt);

        var result = new OAuthClientCredentialsOptionsValidator().Validate("crm", options);

        Assert.That(result.Failed, Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(result.FailureMessage, Does.Contain("Credential 'crm' (OAuthClientCredentials): " + expected));
            Assert.That(result.FailureMessage, Does.Not.Contain("s3cr3t"));
            Assert.That(result.FailureMessage, Does.Not.Contain(TestKeys.Body(TestKeys.Pkcs8("RS256"))[..40]));
        });
        Assert.Throws<OptionsValidationException>(() => new OAuthClientCredentialsHandler(options, "crm"));
    }

    [TestCase("http://127.0.0.1:8080/token", false)]
    [TestCase("http://localhost/token", false)]
    [TestCase("http://[::1]/token", false)]
    [TestCase("http://login.internal/token", true)]
    [TestCase("https://login.example.com/token?tenant=1", false)]
    public void Https_loopback_http_or_an_explicit_opt_in_are_accepted(string url, bool allowInsecure)
    {
        var options = Options(o => (o.IdentityUrl, o.AllowInsecureTransport) = (url, allowInsecure));
        var result = new OAuthClientCredentialsOptionsValidator().Validate("crm", options);
        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public void Scope_may_come_from_AdditionalParameters_when_the_Scope_field_is_empty()
    {
        var options = Options(o => (o.Scope, o.AdditionalParameters["scope"]) = (null, "api.read"));
        Assert.That(new OAuthClientCredentialsOptionsValidator().Validate("crm", options).Succeeded, Is.True);
    }

    [Test]
    public void Configuration_binds_every_field_by_the_platforms_names()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:crm:Type"] = "OAuthClientCredentials",
            ["AtomicCredentials:crm:IdentityUrl"] = TokenUrl,
            ["AtomicCredentials:crm:ClientId"] = "id",
            ["AtomicCredentials:crm:ClientSecret"] = Secret,
            ["AtomicCredentials:crm:Scope"] = "api.read api.write",
            ["AtomicCredentials:crm:RequestScheme"] = "Query",
            ["AtomicCredentials:crm:ClientAuthentication"] = "BasicHeader",
            ["AtomicCredentials:crm:CacheDuration"] = "00:01:30",
            ["AtomicCredentials:crm:TokenRequestTimeout"] = "00:00:05",
            ["AtomicCredentials:crm:RetryOnUnauthorized"] = "false",
            ["AtomicCredentials:crm:TokenRetryBackoffMin"] = "00:00:03",
            ["AtomicCredentials:crm:TokenRetryBackoffMax"] = "00:10:00",
            ["AtomicCredentials:crm:AdditionalParameters:audience"] = "https://api.example.com",
            ["AtomicCredentials:crm:AllowedHosts:0"] = "api.example.com",
        }).Build();
        using var services = new ServiceCollection().AddAtomicCredentials(configuration.GetSection("AtomicCredentials")).BuildServiceProvider();

        var options = services.GetRequiredService<IOptionsMonitor<OAuthClientCredentialsOptions>>().Get("crm");

        Assert.Multiple(() =>
        {
            Assert.That(options.IdentityUrl, Is.EqualTo(TokenUrl));
            Assert.That(options.ClientId, Is.EqualTo("id"));
            Assert.That(options.ClientSecret, Is.EqualTo(Secret));
            Assert.That(options.Scope, Is.EqualTo("api.read api.write"));
            Assert.That(options.RequestScheme, Is.EqualTo(OAuthRequestScheme.Query));
            Assert.That(options.ClientAuthentication, Is.EqualTo(OAuthClientAuthentication.BasicHeader));
            Assert.That(options.CacheDuration, Is.EqualTo(TimeSpan.FromSeconds(90)));
            Assert.That(options.TokenRequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.RetryOnUnauthorized, Is.False);
            Assert.That(options.TokenRetryBackoffMin, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(options.TokenRetryBackoffMax, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(options.AdditionalParameters["audience"], Is.EqualTo("https://api.example.com"));
            Assert.That(options.AllowedHosts, Is.EqualTo(new[] { "api.example.com" }));
        });
    }

    [Test]
    public void An_unknown_field_in_configuration_is_refused_at_registration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:crm:Type"] = "OAuthClientCredentials",
            ["AtomicCredentials:crm:ClientSecrett"] = Secret,
        }).Build();

        var exception = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddAtomicCredentials(configuration.GetSection("AtomicCredentials")));
        Assert.That(exception!.Message, Does.Contain("ClientSecrett is not a field").And.Not.Contain("s3cr3t"));
    }
}
