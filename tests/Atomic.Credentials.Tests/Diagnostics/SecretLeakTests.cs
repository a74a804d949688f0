using System.Text;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Diagnostics;

/// <summary>
/// Drives Basic and custom headers through success, refusal, redirects-off, validation failures and
/// cache failures with logging at Trace, and scans every line, tag, message and ToString for secrets.
/// </summary>
public sealed class SecretLeakTests
{
    private const string Password = "S3cr3t-Passw0rd-ZQX";
    private const string ApiKey = "ak-SECRET-7d1f09be";
    private static readonly string BasicValue = Convert.ToBase64String(Encoding.UTF8.GetBytes("svc-user:" + Password));

    [Test]
    public async Task Nothing_the_library_prints_contains_a_secret()
    {
        using var recorder = new TelemetryRecorder();
        var capture = new Capture();
        var services = new ServiceCollection();
        services.AddSingleton(recorder.LoggerFactory());
        services.AddAtomicCredential("legacy", (BasicAuthOptions o) =>
        {
            o.Username = "svc-user";
            o.Password = Password;
            o.AllowedHosts = ["api.example.com"];
        });
        services.AddAtomicCredential("apikey", (CustomHeadersOptions o) => o.Headers["X-Api-Key"] = ApiKey);
        services.AddHttpClient("legacy").AddAtomicCredentialHandler("legacy").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        services.AddHttpClient("apikey").AddAtomicCredentialHandler("apikey").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        await using (var provider = services.BuildServiceProvider())
        {
            var clients = provider.GetRequiredService<IHttpClientFactory>();
            await clients.CreateClient("legacy").GetAsync(new Uri("https://api.example.com/ok"));
            await clients.CreateClient("apikey").GetAsync(new Uri("https://api.example.com/ok"));
            await recorder.AddFailureAsync(() => clients.CreateClient("legacy").GetAsync(new Uri("https://evil.example.net/")));
            await recorder.AddFailureAsync(() => clients.CreateClient("apikey").GetAsync(new Uri("http://plain.example.com/")));
            recorder.Add(provider.GetRequiredService<IOptionsMonitor<BasicAuthOptions>>().Get("legacy").ToString());
            recorder.Add(provider.GetRequiredService<IOptionsMonitor<CustomHeadersOptions>>().Get("apikey").ToString());
        }

        // Validation failures, at start-up and without DI.
        await recorder.AddFailureAsync(async () =>
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AtomicCredentials:bad:Type"] = "BasicAuth",
                ["AtomicCredentials:bad:Username"] = "a:b",
                ["AtomicCredentials:bad:Password"] = Password + "\r\n",
            });
            builder.Services.AddAtomicCredentials(builder.Configuration.GetSection("AtomicCredentials"));
            using var host = builder.Build();
            await host.StartAsync();
        });
        await recorder.AddFailureAsync(() =>
        {
            _ = new CustomHeadersHandler(new CustomHeadersOptions { Headers = { ["X-Api-Key"] = ApiKey + "\n" } });
            return Task.CompletedTask;
        });

        // The cache: keys, entries and a failing factory.
        using (var cache = new MemoryCredentialCache(TimeProvider.System, recorder.LoggerFactory().CreateLogger<MemoryCredentialCache>()))
        {
            var entry = await cache.GetOrCreateAsync("atomic:test:k", _ => Task.FromResult(new CachedCredential(ApiKey, DateTimeOffset.UtcNow.AddMinutes(1))), default);
            recorder.Add(entry.ToString());
            await recorder.AddFailureAsync(async () => await cache.GetOrCreateAsync("atomic:test:f", _ => throw new CredentialException("x", "Test", "failed"), default));
        }

        var everything = recorder.Everything();
        Assert.Multiple(() =>
        {
            Assert.That(everything, Is.Not.Empty);
            Assert.That(everything, Has.Some.Contains("legacy"), "the scan must see the library's own lines");
            Assert.That(recorder.MeasurementCount, Is.GreaterThan(0), "the scan must see metrics");
            Assert.That(everything, Has.Some.Contains("X-Api-Key: *"), "IHttpClientFactory's header log must show the API key redacted");
            Assert.That(everything, Has.Some.Contains("Authorization: *"), "IHttpClientFactory's header log must show Basic redacted");
            foreach (var secret in new[] { Password, ApiKey, BasicValue })
            {
                Assert.That(everything.Where(text => text.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"leaked: {secret[..4]}…");
            }
        });
    }
}
