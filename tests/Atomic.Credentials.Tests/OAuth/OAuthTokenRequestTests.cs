using System.Net;
using System.Text;
using Atomic.Credentials.OAuth;
using Atomic.Credentials.Tests.KeyPair;
using Microsoft.IdentityModel.JsonWebTokens;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>What goes to the token endpoint, for each request scheme and client authentication.</summary>
public sealed class OAuthTokenRequestTests
{
    private readonly List<(HttpRequestMessage Request, string? Body)> seen = [];

    [SetUp]
    public void SetUp() => seen.Clear();

    [Test]
    public async Task Body_scheme_posts_every_parameter_form_encoded_and_the_api_gets_the_bearer_token()
    {
        using var client = Client(
            Options(o =>
            {
                o.AdditionalParameters["resource"] = "urn:crm";
                o.AdditionalParameters["audience"] = "https://api.example.com";
            }),
            Recorder("tok-1", type: "bearer"));

        var response = await client.GetStringAsync(ApiUrl);

        var (request, body) = seen.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response, Is.EqualTo("Bearer tok-1"), "token_type 'bearer' is sent as 'Bearer'");
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(request.RequestUri, Is.EqualTo(new Uri(TokenUrl)));
            Assert.That(request.Content!.Headers.ContentType!.MediaType, Is.EqualTo("application/x-www-form-urlencoded"));
            Assert.That(request.Headers.Accept.ToString(), Is.EqualTo("application/json"));
            Assert.That(request.Headers.Authorization, Is.Null);
            Assert.That(body, Is.EqualTo(
                "grant_type=client_credentials&client_id=client-1&client_secret=s3cr3t-Value%21xyz&scope=api.read"
                + "&audience=https%3A%2F%2Fapi.example.com&resource=urn%3Acrm"));
        });
    }

    [Test]
    public async Task Basic_header_form_encodes_id_and_secret_before_base64_as_rfc6749_section_2_3_1_requires()
    {
        using var client = Client(
            Options(o =>
            {
                o.ClientId = "odd:client";
                o.ClientSecret = "p+ss w:rd/%~";
                o.ClientAuthentication = OAuthClientAuthentication.BasicHeader;
            }),
            Recorder("tok-1"));

        await client.GetStringAsync(ApiUrl);

        var (request, body) = seen.Single();
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization!.Parameter!));
        Assert.Multiple(() =>
        {
            Assert.That(request.Headers.Authorization.Scheme, Is.EqualTo("Basic"));
            Assert.That(decoded, Is.EqualTo("odd%3Aclient:p%2Bss+w%3Ard%2F%25~"));
            Assert.That(body, Is.EqualTo("grant_type=client_credentials&scope=api.read"), "neither id nor secret in the body");
        });
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    public async Task Private_key_jwt_sends_a_fresh_rfc7523_assertion_each_time(string algorithm)
    {
        var options = Options(o =>
        {
            o.IdentityUrl = TokenUrl + "?tenant=t1";
            o.ClientSecret = null;
            o.ClientAuthentication = OAuthClientAuthentication.PrivateKeyJwt;
            o.PrivateKey = TestKeys.Pkcs8(algorithm);
            o.Algorithm = algorithm;
            o.KeyId = "kid-1";
            o.RetryOnUnauthorized = true;
        });
        var apiCalls = 0;
        var api = new StubHandler(_ => new HttpResponseMessage(Interlocked.Increment(ref apiCalls) == 1 ? HttpStatusCode.Unauthorized : HttpStatusCode.OK));
        using var client = Client(options, Recorder("tok"), api);

        await client.GetAsync(ApiUrl); // 401 → a second token request, so a second assertion

        Assert.That(seen, Has.Count.EqualTo(2));
        var assertions = seen.Select(s => Form(s.Body!)).ToArray();
        var jwts = assertions.Select(form => new JsonWebToken(form["client_assertion"])).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(assertions[0]["client_assertion_type"], Is.EqualTo("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            Assert.That(assertions[0]["client_id"], Is.EqualTo("client-1"));
            Assert.That(assertions[0].ContainsKey("client_secret"), Is.False);
            Assert.That(jwts[0].Issuer, Is.EqualTo("client-1"));
            Assert.That(jwts[0].Subject, Is.EqualTo("client-1"));
            Assert.That(jwts[0].Audiences, Is.EqualTo(new[] { TokenUrl }), "aud is the token endpoint, without its query");
            Assert.That(jwts[0].Alg, Is.EqualTo(algorithm));
            Assert.That(jwts[0].Kid, Is.EqualTo("kid-1"));
            Assert.That(jwts[0].Id, Is.Not.Empty);
            Assert.That(jwts[1].Id, Is.Not.EqualTo(jwts[0].Id), "a fresh jti for every assertion");
        });
    }

    [Test]
    public async Task Query_scheme_gets_with_the_parameters_merged_into_the_identity_urls_query_and_the_credential_wins_a_clash()
    {
        using var client = Client(
            Options(o =>
            {
                o.IdentityUrl = "https://login.example.com/identity/oauth/token?tenant=t%201&scope=from-url&keep=1";
                o.RequestScheme = OAuthRequestScheme.Query;
                o.AdditionalParameters["account_id"] = "a b+c";
            }),
            Recorder("tok-q"));

        var response = await client.GetStringAsync(ApiUrl);

        var (request, body) = seen.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response, Is.EqualTo("Bearer tok-q"));
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Get));
            Assert.That(body, Is.Null);
            Assert.That(request.RequestUri!.AbsoluteUri, Is.EqualTo(
                "https://login.example.com/identity/oauth/token?tenant=t%201&keep=1"
                + "&grant_type=client_credentials&client_id=client-1&client_secret=s3cr3t-Value%21xyz&scope=api.read&account_id=a%20b%2Bc"));
        });
    }

    [Test]
    public void Merge_keeps_the_urls_own_parameters_verbatim_and_drops_only_same_named_ones()
    {
        var merged = TokenRequestParameters.MergeQuery(
            new Uri("https://idp.example.com/token?a=1&client_id=old&b=x%2By&flag&client%5Fid=encoded-old"),
            [new("client_id", "new"), new("grant_type", "client_credentials")]);

        Assert.That(merged.Query, Is.EqualTo("?a=1&b=x%2By&flag&client_id=new&grant_type=client_credentials"));
    }

    private static Dictionary<string, string> Form(string body) =>
        body.Split('&').Select(part => part.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair[1].Replace('+', ' ')));

    private StubHandler Recorder(string token, string type = "Bearer") => new(async (request, cancellationToken) =>
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (seen)
        {
            seen.Add((request, body));
        }

        return Token(token, type: type);
    });
}
