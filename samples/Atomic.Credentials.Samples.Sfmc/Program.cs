// Salesforce Marketing Cloud through the "SalesforceMarketingCloud" preset.
//   dotnet run --project samples/Atomic.Credentials.Samples.Sfmc
//       against a loopback stand-in of the /v2/token and REST endpoints, no network
//   AtomicCredentials__sfmc__Subdomain=… AtomicCredentials__sfmc__ClientId=… AtomicCredentials__sfmc__ClientSecret=… \
//   AtomicCredentials__sfmc__AccountId=… dotnet run --project samples/Atomic.Credentials.Samples.Sfmc
//       against your tenant (or pass the same keys as --AtomicCredentials:sfmc:ClientId=…)
using Atomic.Credentials.Samples.Sfmc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning); // the sample prints what matters itself
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = [new("AtomicCredentials:sfmc:Type", "SalesforceMarketingCloud")],
});
await using var standIn = string.IsNullOrEmpty(builder.Configuration["AtomicCredentials:sfmc:ClientId"]) ? await SfmcStandIn.StartAsync() : null;
if (standIn is not null)
{
    builder.Configuration.AddInMemoryCollection(standIn.Credential("sfmc"));
}

// The whole integration: one credential, one client. The client's base address comes from the preset.
builder.Services.AddAtomicCredentials(builder.Configuration.GetSection("AtomicCredentials"));
builder.Services.AddHttpClient("sfmc").AddAtomicCredentialHandler("sfmc");

using var host = builder.Build();
var sfmc = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("sfmc");
Console.WriteLine($"Salesforce Marketing Cloud ({(standIn is null ? "your tenant" : "loopback stand-in")}), client base address {sfmc.BaseAddress}");

// The REST API's own discovery endpoint: the same request works on every tenant.
for (var i = 1; i <= 2; i++)
{
    using var response = await sfmc.GetAsync("platform/v1/endpoints");
    Console.WriteLine($"  GET platform/v1/endpoints #{i}: {(int)response.StatusCode} from {response.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Authority)}");
    if (!response.IsSuccessStatusCode)
    {
        return 1;
    }
}

if (standIn is not null)
{
    Console.WriteLine($"  token requests: {standIn.TokenRequests} (one token, reused for its 20 minutes)");
    return standIn.TokenRequests == 1 ? 0 : 1;
}

return 0;
