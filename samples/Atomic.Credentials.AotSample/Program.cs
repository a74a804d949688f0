// A service published with Native AOT that uses the Atomic.Credentials package as a user would:
// every credential in appsettings.json is registered with AddAtomicCredentials, attached to a client
// of IHttpClientFactory, and sent to a stand-in API on 127.0.0.1 that accepts a request only when
// that credential was applied to it (and refuses the same request sent without it).
// With --redis host:port, tokens and JWTs are shared through Redis (the Atomic.Credentials.Redis
// package) and the sample checks that every credential that caches one landed there.
// Exits 0 only when each credential was applied (and, with --redis, each token and JWT was shared).
using System.Diagnostics;
using System.Net;
using Atomic.Credentials.AotSample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var started = Stopwatch.GetTimestamp();
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json sits beside the binary, wherever it is run from
});

await using var api = LoopbackApi.Start();
var credentials = builder.Configuration.GetSection("AtomicCredentials");
var expectations = Expectations.Map(credentials, api);

builder.Services.AddAtomicCredentials(credentials);
var redis = builder.Configuration["redis"];
if (redis is not null)
{
    builder.Services.AddAtomicCredentialsRedisCache(redis);
}

foreach (var expectation in expectations)
{
    builder.Services.AddHttpClient(expectation.Name, client => client.BaseAddress = api.BaseAddress)
        .AddAtomicCredentialHandler(expectation.Name);
}

builder.Services.AddHttpClient("no-credential", client => client.BaseAddress = api.BaseAddress);

using var host = builder.Build();
await host.StartAsync(); // validates every credential's options (ValidateOnStart)
var startup = Stopwatch.GetElapsedTime(started);

var factory = host.Services.GetRequiredService<IHttpClientFactory>();
var failures = 0;
foreach (var expectation in expectations)
{
    using var withCredential = await factory.CreateClient(expectation.Name).GetAsync(new Uri(expectation.Path, UriKind.Relative));
    using var without = await factory.CreateClient("no-credential").GetAsync(new Uri(expectation.Path, UriKind.Relative));
    var applied = withCredential.StatusCode == HttpStatusCode.OK && without.StatusCode == HttpStatusCode.Unauthorized;
    failures += applied ? 0 : 1;
    Console.WriteLine($"{expectation.Name,-10} {expectation.Type,-24} " + (applied
        ? "applied"
        : $"NOT applied: {(int)withCredential.StatusCode} with the credential, {(int)without.StatusCode} without"));
}

await host.StopAsync();
Console.WriteLine($"{expectations.Count - failures} of {expectations.Count} credentials applied; host started after {startup.TotalMilliseconds:F0} ms, done after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
if (redis is not null)
{
    // Every credential that caches a token or a JWT must have it in Redis (the others store nothing),
    // and there must be one: a configuration without any would prove nothing about sharing.
    var caching = expectations.Where(expectation => expectation.CachesMaterial).Select(expectation => expectation.Name).ToList();
    var shared = await RedisEntries.SharedAsync(redis, caching, TimeSpan.FromSeconds(5));
    var missing = caching.Except(shared).ToList();
    failures += missing.Count == 0 && caching.Count > 0 ? 0 : 1;
    Console.WriteLine($"{shared.Count} of {caching.Count} credentials that cache a token or a JWT shared it through Redis at {RedisEntries.Endpoints(redis)}"
        + (missing.Count > 0 ? $"; not shared: {string.Join(", ", missing)}" : string.Empty));
}

return failures == 0 && expectations.Count > 0 ? 0 : 1;
