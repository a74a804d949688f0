using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.IntegrationTests.Faults;

/// <summary>
/// An identity provider that misbehaves on purpose, over real sockets on loopback: each fault, repeated,
/// gives a clear <see cref="CredentialException"/>, sends no API request, caches nothing (every attempt
/// reaches the provider again), prints no secret or token, leaks no thread or socket; once the fault
/// clears, the same client recovers. The in-memory cases of <c>OAuthFailureTests</c> (4xx OAuth errors,
/// missing or odd tokens) and the refused port of <c>OAuthLoopbackTests</c> are not repeated here.
/// </summary>
[NonParallelizable]
public sealed class OAuthFaultTests
{
    private const string Secret = "fault-s3cr3t-Q7zW";
    private const int Attempts = 8;

    private LoopbackServer server = null!;
    private volatile Func<HttpContext, Task>? fault;
    private int tokenRequests;
    private int apiRequests;
    private string goodToken = null!;

    public static IEnumerable<TestCaseData> HttpFaults()
    {
        yield return Case("500", c => Answer(c, 500, "application/json", """{"error":"server_error"}"""), HttpStatusCode.InternalServerError, "refused");
        yield return Case("503 with Retry-After", c =>
        {
            c.Response.Headers.RetryAfter = "120";
            return Answer(c, 503, "text/plain", "down for maintenance");
        }, HttpStatusCode.ServiceUnavailable, "refused");
        yield return Case("429", c =>
        {
            c.Response.Headers.RetryAfter = "1";
            return Answer(c, 429, "application/json", """{"error":"slow_down"}""");
        }, HttpStatusCode.TooManyRequests, "refused");
        yield return Case("a redirect to another endpoint of its own", c =>
        {
            c.Response.Redirect("/token-moved", permanent: false);
            return Task.CompletedTask;
        }, HttpStatusCode.Found, "redirect");
        yield return Case("HTML instead of JSON", c => Answer(c, 200, "text/html", "<html><body>Sign in</body></html>"), HttpStatusCode.OK, "could not be read");
        yield return Case("JSON truncated by a closed connection", async c =>
        {
            c.Response.ContentLength = 200;
            await c.Response.Body.WriteAsync("""{"access_token":"half"""u8.ToArray());
            await c.Response.Body.FlushAsync();
            c.Abort();
        }, null, "broke while the token response was read|could not be reached");
        yield return Case("JSON truncated with a matching length", c => Answer(c, 200, "application/json", """{"access_token":"tok","expi"""), HttpStatusCode.OK, "not valid JSON");
        yield return Case("10 MB of JSON, chunked", async c =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.Body.WriteAsync("""{"access_token":"tok","padding":" """u8.ToArray());
            var block = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            for (var i = 0; i < 160 && !c.RequestAborted.IsCancellationRequested; i++)
            {
                await c.Response.Body.WriteAsync(block, c.RequestAborted);
            }

            await c.Response.Body.WriteAsync("\"}"u8.ToArray(), c.RequestAborted);
        }, HttpStatusCode.OK, "larger than");
        yield return Case("a body that drips one byte a second", async c =>
        {
            c.Response.ContentType = "application/json";
            foreach (var b in """{"access_token":"drip","token_type":"Bearer"}"""u8.ToArray())
            {
                await c.Response.Body.WriteAsync(new[] { b }, c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
                await Task.Delay(1000, c.RequestAborted);
            }
        }, null, "timed out after 1.5 s", attempts: 3);

        static TestCaseData Case(string name, Func<HttpContext, Task> fault, HttpStatusCode? status, string message, int attempts = Attempts) =>
            new TestCaseData(fault, status, message, attempts).SetArgDisplayNames(name);
    }

    [SetUp]
    public async Task SetUp()
    {
        tokenRequests = apiRequests = 0;
        goodToken = "good-" + Guid.NewGuid().ToString("N");
        server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/token", context =>
            {
                Interlocked.Increment(ref tokenRequests);
                return fault is { } misbehave ? misbehave(context)
                    : context.Response.WriteAsJsonAsync(new { access_token = goodToken, token_type = "Bearer", expires_in = 300 });
            });
            app.MapPost("/token-moved", context => context.Response.WriteAsJsonAsync(new { access_token = "moved-" + Secret, token_type = "Bearer" }));
            app.MapGet("/api", context =>
            {
                Interlocked.Increment(ref apiRequests);
                return context.Response.WriteAsync(context.Request.Headers.Authorization.ToString());
            });
        });
    }

    [TearDown]
    public async Task TearDown() => await server.DisposeAsync();

    [TestCaseSource(nameof(HttpFaults))]
    public async Task An_identity_provider_that_misbehaves_over_http(Func<HttpContext, Task> misbehave, HttpStatusCode? status, string message, int attempts)
    {
        fault = misbehave;
        var outcome = await RunAsync(new Uri(server.Address, "/token"), attempts, status, message, () => fault = null);
        Assert.That(tokenRequests, Is.EqualTo(attempts + 1), "every failed attempt reached the provider again (nothing cached), then one recovery");
        TestContext.Progress.WriteLine($"outcome: {outcome}");
    }

    [Test]
    public async Task A_connection_reset_by_the_identity_provider()
    {
        await using var resetting = new ResettingServer();
        await RunAsync(resetting.TokenUrl, Attempts, null, "could not be reached", () => resetting.Resetting = false, expectedToken: resetting.Token);
        Assert.That(resetting.Connections, Is.EqualTo(Attempts + 1), "one connection an attempt: nothing cached, no retry storm");
    }

    [Test]
    public async Task A_TLS_handshake_the_client_rejects()
    {
        using var untrusted = SelfSigned("CN=impostor");
        using var trusted = SelfSigned("CN=127.0.0.1");
        var presented = untrusted;
        var handshakes = 0;
        await using var tls = await LoopbackServer.StartAsync(
            app => app.MapPost("/token", context => context.Response.WriteAsJsonAsync(new { access_token = goodToken, token_type = "Bearer" })),
            certificate: () => presented);

        // The client trusts one certificate (as a pinned or CA-issued one would be): the self-signed impostor fails the handshake.
        using var transport = new SocketsHttpHandler();
        transport.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            Interlocked.Increment(ref handshakes);
            return certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString();
        };

        await RunAsync(new Uri(tls.Address, "/token"), Attempts, null, "could not be reached", () => presented = trusted, transport);
        Assert.That(handshakes, Is.EqualTo(Attempts + 1), "each attempt made its own handshake: nothing cached");
    }

    private async Task<string> RunAsync(
        Uri tokenUrl, int attempts, HttpStatusCode? status, string message, Action clear, HttpMessageHandler? tokenTransport = null, string? expectedToken = null)
    {
        using var recorder = new TelemetryRecorder();
        using var loggers = recorder.LoggerFactory();
        var baseline = default(ProcessResources);
        string outcome;

        // A 429 or 5xx pauses token requests (Retry-After or backoff): the clock jumps past each pause;
        // timers (TokenRequestTimeout) keep real time.
        var clock = new ShiftedClock();
        using (var ownTransport = tokenTransport is null ? new SocketsHttpHandler() : null)
        using (var client = new HttpClient(new OAuthClientCredentialsHandler(
            new OAuthClientCredentialsOptions
            {
                IdentityUrl = tokenUrl.ToString(),
                ClientId = "fault-client",
                ClientSecret = Secret,
                TokenRequestTimeout = TimeSpan.FromSeconds(1.5),
            },
            "idp",
            tokenHandler: tokenTransport ?? ownTransport,
            timeProvider: clock,
            loggerFactory: loggers)
        {
            InnerHandler = new SocketsHttpHandler(),
        }))
        {
            CredentialException? first = null;
            for (var attempt = 0; attempt < attempts; attempt++)
            {
                var exception = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri(server.Address, "/api")))!;
                clock.Offset += TimeSpan.FromHours(1);
                recorder.AddException(exception);
                first ??= exception;
                if (attempt == 0)
                {
                    // After the first attempt: what a first use loads once (assemblies, pools, the epoll thread) is not a leak.
                    baseline = ProcessResources.Now();
                }
            }

            Assert.Multiple(() =>
            {
                Assert.That(first!.CredentialName, Is.EqualTo("idp"));
                Assert.That(first.Kind, Is.EqualTo("OAuthClientCredentials"));
                Assert.That(first.StatusCode, Is.EqualTo(status));
                Assert.That(first.Message, Does.Match(message), "the message names the problem");
                Assert.That(apiRequests, Is.Zero, "no API request was sent without a token");
            });
            outcome = $"{first!.Message} (status {(first.StatusCode is { } s ? (int)s : "none")}, inner {first.InnerException?.GetType().Name ?? "none"})";

            clear();
            Assert.That(await client.GetStringAsync(new Uri(server.Address, "/api")), Is.EqualTo("Bearer " + (expectedToken ?? goodToken)), "recovered");
            Assert.That(apiRequests, Is.EqualTo(1));
        }

        var after = await ProcessResources.SettleAsync(baseline);
        Assert.That(after.Within(baseline), Is.True, $"leak: before {baseline}, after {after}");

        // The exceptions were added to the recorder above, so what is searched below is never empty:
        // require log lines, or a logger left unwired would make the search pass on exceptions alone.
        Assert.That(recorder.Logs.GetSnapshot(), Is.Not.Empty, "nothing logged: the search below for the secret and the token would cover no log line");
        var printed = recorder.Everything();
        Assert.That(printed.Where(line => line.Contains(Secret, StringComparison.Ordinal) || line.Contains(expectedToken ?? goodToken, StringComparison.Ordinal)), Is.Empty);
        return outcome;
    }

    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    private static Task Answer(HttpContext context, int status, string mediaType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = mediaType;
        return context.Response.WriteAsync(body);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        // Kestrel needs the key in a form SslStream can use on Linux: a PKCS#12 round trip.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
