using System.Net;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Diagnostics;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using RichardSzalay.MockHttp;

namespace Atomic.Credentials.Tests.KeyPair;

public sealed class KeyPairJwtHandlerTests
{
    private static readonly Uri Api = new("https://partner.example.com/orders");
    private FakeTimeProvider time = null!;
    private MemoryCredentialCache cache = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        cache = new MemoryCredentialCache(time);
    }

    [TearDown]
    public void TearDown() => cache.Dispose();

    [Test]
    public async Task Sends_a_bearer_JWT_with_the_configured_claims()
    {
        var capture = new Capture();
        using var client = capture.Client(Handler(KeyPairValidationTests.Options(o =>
        {
            o.KeyId = "k1";
            o.Audiences = ["https://second.example.com"];
            o.Claims["tenant"] = "t1";
        })));

        await client.GetAsync(Api);

        var token = new JsonWebToken(Bearer(capture.Requests.Single()));
        Assert.Multiple(() =>
        {
            Assert.That(token.Alg, Is.EqualTo("RS256"));
            Assert.That(token.Kid, Is.EqualTo("k1"));
            Assert.That(token.Issuer, Is.EqualTo("atomic"));
            Assert.That(token.Subject, Is.EqualTo("svc"));
            Assert.That(token.Audiences, Is.EqualTo(new[] { "https://partner.example.com", "https://second.example.com" }));
            Assert.That(token.IssuedAt, Is.EqualTo(time.GetUtcNow().UtcDateTime));
            Assert.That(token.ValidTo, Is.EqualTo(time.GetUtcNow().AddMinutes(5).UtcDateTime));
            Assert.That(token.GetClaim("tenant").Value, Is.EqualTo("t1"));
        });
    }

    [Test]
    public async Task The_same_JWT_is_reused_until_90_percent_of_its_lifetime_and_a_new_one_follows()
    {
        var capture = new Capture();
        using var client = capture.Client(Handler(KeyPairValidationTests.Options(o => o.Algorithm = "ES256", "ES256")));

        await client.GetAsync(Api);
        time.Advance(TimeSpan.FromSeconds(269)); // 5 min × 0.9 = 270 s
        await client.GetAsync(Api);
        time.Advance(TimeSpan.FromSeconds(1));
        await client.GetAsync(Api); // served the current JWT, refreshed in the background
        var refreshed = await EventuallyAsync(async () =>
        {
            await client.GetAsync(Api);
            return Bearer(capture.Requests[^1]);
        }, jwt => jwt != Bearer(capture.Requests[0]));

        Assert.Multiple(() =>
        {
            Assert.That(Bearer(capture.Requests[1]), Is.EqualTo(Bearer(capture.Requests[0])));
            Assert.That(Bearer(capture.Requests[2]), Is.EqualTo(Bearer(capture.Requests[0])), "no request waits for signing");
            Assert.That(new JsonWebToken(refreshed).IssuedAt, Is.EqualTo(time.GetUtcNow().UtcDateTime));
        });
    }

    [Test]
    public async Task Without_requests_near_expiry_the_JWT_is_not_served_in_its_last_moments()
    {
        var capture = new Capture();
        using var client = capture.Client(Handler(KeyPairValidationTests.Options()));

        await client.GetAsync(Api);
        time.Advance(TimeSpan.FromSeconds(285)); // refresh at 270 s, stop serving halfway to exp
        await client.GetAsync(Api);

        Assert.That(new JsonWebToken(Bearer(capture.Requests[1])).IssuedAt, Is.EqualTo(time.GetUtcNow().UtcDateTime));
    }

    [Test]
    public async Task The_key_is_loaded_once_not_per_token()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, TestKeys.Pkcs8("RS256"));
        var capture = new Capture();
        using var client = capture.Client(Handler(KeyPairValidationTests.Options(o => o.PrivateKey = path)));

        await client.GetAsync(Api);
        File.WriteAllText(path, "no longer a key");
        time.Advance(TimeSpan.FromMinutes(10)); // the first JWT has expired: a new one must be signed
        await client.GetAsync(Api);
        File.Delete(path);

        Assert.Multiple(() =>
        {
            Assert.That(capture.Requests, Has.Count.EqualTo(2));
            Assert.That(Bearer(capture.Requests[1]), Is.Not.EqualTo(Bearer(capture.Requests[0])));
            Assert.That(new JsonWebToken(Bearer(capture.Requests[1])).IssuedAt, Is.EqualTo(time.GetUtcNow().UtcDateTime));
        });
    }

    [Test]
    public async Task A_thousand_concurrent_first_requests_sign_exactly_once()
    {
        using var signings = new MetricCollector<long>(CredentialsTelemetry.MaterialRequests);
        var capture = new Capture();
        using var client = capture.Client(Handler(KeyPairValidationTests.Options(), "concurrent-partner"));

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => client.GetAsync(Api))));

        var ours = signings.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags["atomic.credential.name"], "concurrent-partner"))
            .Sum(m => m.Value);
        Assert.Multiple(() =>
        {
            Assert.That(ours, Is.EqualTo(1));
            Assert.That(capture.Requests.Select(Bearer).Distinct().Count(), Is.EqualTo(1));
            Assert.That(capture.Requests, Has.Count.EqualTo(1000));
        });
    }

    [Test]
    public async Task A_401_evicts_the_JWT_and_retries_once_with_a_new_one()
    {
        var mock = new MockHttpMessageHandler();
        var seen = new List<string>();
        var statuses = new Queue<HttpStatusCode>([HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.OK]);
        mock.When("*").Respond(request =>
        {
            seen.Add(Bearer(request));
            return new HttpResponseMessage(statuses.Dequeue());
        });
        using var client = new HttpClient(Handler(KeyPairValidationTests.Options(), inner: mock));

        var first = await client.GetAsync(Api);
        var second = await client.GetAsync(Api);

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seen, Has.Count.EqualTo(3));
            Assert.That(seen[1], Is.Not.EqualTo(seen[0]), "the retry carries a new JWT");
            Assert.That(seen[2], Is.EqualTo(seen[1]), "the new JWT is the cached one");
        });
    }

    [Test]
    public async Task A_second_401_is_returned_without_another_retry()
    {
        var mock = new MockHttpMessageHandler();
        var calls = 0;
        mock.When("*").Respond(_ =>
        {
            Interlocked.Increment(ref calls);
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        });
        using var client = new HttpClient(Handler(KeyPairValidationTests.Options(), inner: mock));

        var response = await client.GetAsync(Api);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(calls, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_changed_key_is_used_from_the_next_request_on()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:partner:Type"] = "KeyPair",
            ["AtomicCredentials:partner:PrivateKey"] = TestKeys.Pkcs8("RS256"),
            ["AtomicCredentials:partner:Algorithm"] = "RS256",
            ["AtomicCredentials:partner:Issuer"] = "atomic",
        }).Build();
        var capture = new Capture();
        await using var provider = Services(configuration, capture);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("partner");

        await client.GetAsync(Api);
        configuration["AtomicCredentials:partner:PrivateKey"] = TestKeys.Pkcs8("ES256");
        configuration["AtomicCredentials:partner:Algorithm"] = "ES256";
        configuration.Reload();
        await client.GetAsync(Api);

        Assert.Multiple(() =>
        {
            Assert.That(new JsonWebToken(Bearer(capture.Requests[0])).Alg, Is.EqualTo("RS256"));
            Assert.That(new JsonWebToken(Bearer(capture.Requests[1])).Alg, Is.EqualTo("ES256"));
        });
    }

    [Test]
    public async Task Claims_from_configuration_keep_their_JSON_types()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:partner:Type"] = "KeyPair",
            ["AtomicCredentials:partner:PrivateKey"] = TestKeys.Pkcs8("ES256"),
            ["AtomicCredentials:partner:Algorithm"] = "ES256",
            ["AtomicCredentials:partner:Issuer"] = "atomic",
            ["AtomicCredentials:partner:Audiences:0"] = "a1",
            ["AtomicCredentials:partner:Audiences:1"] = "a2",
            ["AtomicCredentials:partner:Lifetime"] = "00:01:00",
            ["AtomicCredentials:partner:Claims:tenant"] = "t1",
            ["AtomicCredentials:partner:Claims:level"] = "3",
            ["AtomicCredentials:partner:Claims:ratio"] = "0.25",
            ["AtomicCredentials:partner:Claims:admin"] = "True",
            ["AtomicCredentials:partner:Claims:zip"] = "007",
            ["AtomicCredentials:partner:Claims:roles:0"] = "reader",
            ["AtomicCredentials:partner:Claims:roles:1"] = "writer",
        }).Build();
        var capture = new Capture();
        await using var provider = Services(configuration, capture);

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("partner").GetAsync(Api);

        using var payload = JwtFactoryTests.Payload(Bearer(capture.Requests.Single()));
        var root = payload.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("tenant").GetString(), Is.EqualTo("t1"));
            Assert.That(root.GetProperty("level").GetInt64(), Is.EqualTo(3));
            Assert.That(root.GetProperty("ratio").GetDouble(), Is.EqualTo(0.25));
            Assert.That(root.GetProperty("admin").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("zip").GetString(), Is.EqualTo("007"));
            Assert.That(root.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "reader", "writer" }));
            Assert.That(root.GetProperty("aud").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "a1", "a2" }));
            Assert.That(root.GetProperty("exp").GetInt64() - root.GetProperty("iat").GetInt64(), Is.EqualTo(60));
        });
    }

    [Test]
    public async Task Logs_at_trace_carry_neither_the_JWT_nor_the_key()
    {
        using var logs = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var options = KeyPairValidationTests.Options();
        var capture = new Capture();
        using var client = capture.Client(new KeyPairJwtHandler(options, "partner", new MemoryCredentialCache(time, loggers.CreateLogger<MemoryCredentialCache>()), time, loggers));

        await client.GetAsync(Api);

        var jwt = Bearer(capture.Requests.Single());
        var text = string.Join("\n", logs.Collector.GetSnapshot().Select(record => record.Message + " " + record.Exception));
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("signed a new RS256 JWT"));
            Assert.That(text, Does.Not.Contain(jwt.Split('.')[2]));
            Assert.That(text, Does.Not.Contain(jwt.Split('.')[1]));
            Assert.That(text, Does.Not.Contain(TestKeys.Body(options.PrivateKey)[..40]));
        });
    }

    [Test]
    public async Task Each_signing_is_an_activity_tagged_with_credential_kind_and_algorithm()
    {
        var signings = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Atomic.Credentials",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "atomic.credentials.sign" && Equals(activity.GetTagItem("atomic.credential.name"), "traced-partner"))
                {
                    lock (signings)
                    {
                        signings.Add(activity);
                    }
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var capture = new Capture();
        using var client = capture.Client(Handler(KeyPairValidationTests.Options(o => o.Algorithm = "ES384", "ES384"), "traced-partner"));

        await client.GetAsync(Api);
        await client.GetAsync(Api);

        Assert.Multiple(() =>
        {
            Assert.That(signings, Has.Count.EqualTo(1), "the second request is served from the cache");
            Assert.That(signings[0].GetTagItem("atomic.credential.kind"), Is.EqualTo("KeyPair"));
            Assert.That(signings[0].GetTagItem("atomic.credential.algorithm"), Is.EqualTo("ES384"));
        });
    }

    [Test]
    public void A_key_pair_is_refused_for_a_host_it_does_not_allow_and_nothing_is_signed_or_sent()
    {
        var capture = new Capture();
        using var client = capture.Client(Handler(KeyPairValidationTests.Options(o => o.AllowedHosts = ["partner.example.com"])));

        Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri("https://elsewhere.example.com/")));
        Assert.That(capture.Requests, Is.Empty);
    }

    internal static string Bearer(HttpRequestMessage request)
    {
        var header = Capture.Header(request, "Authorization") ?? throw new AssertionException("no Authorization header");
        Assert.That(header, Does.StartWith("Bearer "));
        return header["Bearer ".Length..];
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, Func<T, bool> done)
    {
        for (var i = 0; i < 200; i++)
        {
            var value = await attempt();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(10);
        }

        throw new AssertionException("the condition was not met within 2 s");
    }

    private ServiceProvider Services(IConfiguration configuration, Capture capture)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        services.AddHttpClient("partner").AddAtomicCredentialHandler("partner").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        return services.BuildServiceProvider();
    }

    private KeyPairJwtHandler Handler(KeyPairOptions options, string name = "partner", HttpMessageHandler? inner = null)
    {
        var handler = new KeyPairJwtHandler(options, name, cache, time);
        if (inner is not null)
        {
            handler.InnerHandler = inner;
        }

        return handler;
    }
}
