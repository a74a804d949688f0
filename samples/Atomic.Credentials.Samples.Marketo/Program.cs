// Marketo through the "Marketo" preset.
//   dotnet run --project samples/Atomic.Credentials.Samples.Marketo
//       against a loopback stand-in of the identity and REST endpoints, no network
//   AtomicCredentials__marketo__IdentityUrl=https://123-ABC-456.mktorest.com/identity \
//   AtomicCredentials__marketo__ClientId=… AtomicCredentials__marketo__ClientSecret=… \
//   dotnet run --project samples/Atomic.Credentials.Samples.Marketo
//       against your instance (or pass the same keys as --AtomicCredentials:marketo:ClientId=…)
using Atomic.Credentials.Samples.Marketo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning); // the sample prints what matters itself
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("AtomicCredentials:marketo:Type", "Marketo")] });
await using var standIn = string.IsNullOrEmpty(builder.Configuration["AtomicCredentials:marketo:ClientId"]) ? await MarketoStandIn.StartAsync() : null;
if (standIn is not null)
{
    builder.Configuration.AddInMemoryCollection(standIn.Credential("marketo"));
}

// The whole integration: one credential, one client. The client's base address (…/rest/) comes from the preset.
builder.Services.AddAtomicCredentials(builder.Configuration.GetSection("AtomicCredentials"));
builder.Services.AddHttpClient("marketo").AddAtomicCredentialHandler("marketo");

using var host = builder.Build();
var marketo = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("marketo");
Console.WriteLine($"Marketo ({(standIn is null ? "your instance" : "loopback stand-in")}), client base address {marketo.BaseAddress}");

// Daily API usage: a read every instance answers.
using var response = await marketo.GetAsync("v1/stats/usage.json");
var body = await response.Content.ReadAsStringAsync();
Console.WriteLine($"  GET v1/stats/usage.json: {(int)response.StatusCode} {body[..Math.Min(body.Length, 120)]}");
if (!response.IsSuccessStatusCode || !body.Contains("\"success\":true", StringComparison.Ordinal))
{
    return 1;
}

if (standIn is not null)
{
    // The stand-in answered the first token with 601 in a 200, as Marketo does for a revoked token.
    Console.WriteLine($"  token requests: {standIn.TokenRequests}, API requests: {standIn.ApiRequests} (601 → one new token, one retry)");
    return standIn is { TokenRequests: 2, ApiRequests: 2 } ? 0 : 1;
}

return 0;
