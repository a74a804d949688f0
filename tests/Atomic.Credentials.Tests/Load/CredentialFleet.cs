using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Atomic.Credentials.Tests.KeyPair;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Load;

/// <summary>
/// Eight credentials of every kind, each an <see cref="HttpClient"/> over a no-op inner handler that
/// checks the request carries exactly that credential; a frozen clock, counted token requests, and
/// every secret configured or issued, for the load test and the secret sweep.
/// </summary>
internal sealed class CredentialFleet : IDisposable
{
    public const int PerKind = 8;

    private readonly ILoggerFactory? loggers;
    private readonly ConcurrentBag<string> secrets = [];

    public CredentialFleet(ILoggerFactory? loggers = null)
    {
        this.loggers = loggers;
        for (var i = 0; i < PerKind; i++)
        {
            Clients.Add(Basic(i));
            Clients.Add(Headers(i));
            Clients.Add(OAuth(i));
            Clients.Add(KeyPair(i));
            Clients.Add(Aws(i));
        }
    }

    public List<HttpClient> Clients { get; } = [];

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public int[] TokenRequests { get; } = new int[PerKind];

    /// <summary>Each JWT seen, with the issuer it names.</summary>
    public ConcurrentDictionary<string, string> Jwts { get; } = new(StringComparer.Ordinal);

    /// <summary>Credentials seen on another credential's request (or missing).</summary>
    public ConcurrentQueue<string> Wrong { get; } = new();

    /// <summary>Every secret configured, every token issued and every JWT signed: none may be printed.</summary>
    public IEnumerable<string> Secrets => secrets.Concat(Jwts.Keys);

    public void Dispose() => Clients.ForEach(client => client.Dispose());

    private HttpClient Basic(int i)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"user-{i}:basic-pass-{i}"));
        Keep($"basic-pass-{i}", expected[6..]);
        return Client(new BasicAuthHandler(new BasicAuthOptions { Username = $"user-{i}", Password = $"basic-pass-{i}" }, $"basic-{i}", loggers),
            request => request.Headers.Authorization?.ToString() == expected, $"basic-{i}");
    }

    private HttpClient Headers(int i)
    {
        var options = new CustomHeadersOptions();
        options.Headers["X-Api-Key"] = Keep($"api-key-{i}");
        return Client(new CustomHeadersHandler(options, $"headers-{i}", loggers),
            request => request.Headers.TryGetValues("X-Api-Key", out var values) && values.SingleOrDefault() == $"api-key-{i}", $"headers-{i}");
    }

    private HttpClient OAuth(int i)
    {
        var tokenEndpoint = new StubHandler(request =>
        {
            var number = Interlocked.Increment(ref TokenRequests[i]);
            return OAuthTestKit.Token(Keep($"tok-{i}-{number}-{Guid.NewGuid():N}"), expiresIn: 3600);
        });
        var options = OAuthTestKit.Options(o =>
        {
            o.ClientId = $"client-{i}";
            o.ClientSecret = Keep($"oauth-secret-{i}");
        });
        return Client(new OAuthClientCredentialsHandler(options, $"oauth-{i}", tokenHandler: tokenEndpoint, timeProvider: Time, loggerFactory: loggers),
            request => request.Headers.Authorization?.ToString().StartsWith($"Bearer tok-{i}-", StringComparison.Ordinal) == true, $"oauth-{i}");
    }

    private HttpClient KeyPair(int i)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();
        // Each 64-character PEM line on its own: a key printed as it was configured breaks the body at line ends.
        foreach (var line in TestKeys.Body(pem).Chunk(64))
        {
            Keep(new string(line));
        }

        var options = new KeyPairOptions { PrivateKey = pem, Algorithm = "ES256", Issuer = $"issuer-{i}", Audience = "https://api.example.com" };
        return Client(new KeyPairJwtHandler(options, $"keypair-{i}", timeProvider: Time, loggerFactory: loggers),
            request => request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } jwt } && Jwts.GetOrAdd(jwt, IssuerOf) == $"issuer-{i}", $"keypair-{i}");
    }

    private HttpClient Aws(int i)
    {
        var options = new AwsSignedRequestOptions { AccessKeyId = $"AKIDLOAD{i:D4}", SecretAccessKey = Keep($"aws-secret-{i}-wJalrXUtnFEMI"), Service = "execute-api", Region = "eu-west-1" };
        return Client(new AwsSignatureHandler(options, $"aws-{i}", Time, loggers),
            request => request.Headers.TryGetValues("Authorization", out var values)
                && values.Single().StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDLOAD{i:D4}/", StringComparison.Ordinal), $"aws-{i}");
    }

    private string Keep(string secret, string? another = null)
    {
        secrets.Add(secret);
        if (another is not null)
        {
            secrets.Add(another);
        }

        return secret;
    }

    private static string IssuerOf(string jwt)
    {
        using var payload = JwtFactoryTests.Payload(jwt);
        return payload.RootElement.GetProperty("iss").GetString()!;
    }

    private HttpClient Client(DelegatingHandler handler, Func<HttpRequestMessage, bool> carriesOwn, string name)
    {
        handler.InnerHandler = new StubHandler(request =>
        {
            if (!carriesOwn(request))
            {
                Wrong.Enqueue(name);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        return new HttpClient(handler);
    }
}
