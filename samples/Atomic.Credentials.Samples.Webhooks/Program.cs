// A webhook sender for many tenants: credentials saved at run time, one client, each delivery naming its own.
//   dotnet run --project samples/Atomic.Credentials.Samples.Webhooks
//       saves six tenants' credentials (OAuth ×2, Basic, custom headers, key pair, SigV4) into a SQLite file
//       under the temp folder, sends deliveries.json to a loopback receiver that checks each delivery carries
//       exactly its tenant's current credential, rotates one secret half-way; exits 0 when every check held
//   … -- --store /path/credentials.db       keep the store there (Data Protection keys in keys/ beside it)
//   … -- --deliveries my-deliveries.json
using System.Diagnostics;
using Atomic.Credentials.Samples.Webhooks;
using Atomic.Credentials.Samples.Webhooks.Tenants;
using Atomic.Credentials.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var clock = Stopwatch.StartNew();
var console = ConsoleRecorder.Start();
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning).AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
    .AddFilter("Atomic.Credentials", LogLevel.Warning); // the sample prints what it saves itself

// The tenants and their own endpoints (the receiver knows each one's current secret, nothing else).
var acme = new OAuthTenant("acme", "acme/crm");
TenantCredential[] tenants =
[
    acme,
    new BasicAuthTenant("globex", "globex/legacy"),
    new CustomHeadersTenant("initech", "initech/alerts"),
    new KeyPairTenant("umbrella", "umbrella/partner"),
    new AwsSignedRequestTenant("hooli", "hooli/events"),
    new OAuthTenant("stark", "stark/crm"),
];
await using var receiver = await Receiver.StartAsync(tenants);

// The sender: a SQLite store whose secrets Data Protection encrypts with keys kept beside it,
// one client for every credential, and one limited to acme's.
var keepStore = builder.Configuration["store"] is not null;
var storePath = Path.GetFullPath(builder.Configuration["store"] ?? Path.Combine(Path.GetTempPath(), $"atomic-webhooks-{Guid.NewGuid():N}", "credentials.db"));
var storeFolder = Path.GetDirectoryName(storePath)!;
Directory.CreateDirectory(storeFolder);
builder.Services.AddDataProtection()
    .SetApplicationName("Atomic.Credentials.Samples.Webhooks")
    .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(storeFolder, "keys")));
builder.Services.AddAtomicCredentialStore(o => o.UseSqlite(storePath));
builder.Services.AddHttpClient("webhooks").AddAtomicCredentialHandler();
builder.Services.AddHttpClient("acme-only").AddAtomicCredentialHandler(o => o.NamePrefix = "acme/");

var checks = new Checks();
try
{
    var deliveries = await Delivery.LoadAsync(builder.Configuration["deliveries"] ?? Path.Combine(AppContext.BaseDirectory, "deliveries.json"));
    using (var host = builder.Build())
    {
        Console.WriteLine($"Webhook sender: store {storePath}{(keepStore ? string.Empty : " (removed at exit; --store PATH keeps one)")}, receiver {receiver.Address}");
        var sender = new WebhookSender(
            host.Services.GetRequiredService<ICredentialStore>(), host.Services.GetRequiredService<IHttpClientFactory>(), receiver, tenants, checks);
        await sender.SaveAsync();
        await sender.ListAsync();
        await sender.DeliverAsync(deliveries, acme);
        Console.WriteLine("Each endpoint sent another tenant's credential (the receiver's checks are real):");
        await sender.CrossTenantAsync();
        await sender.TenantLimitedAsync("acme/crm", "globex/legacy", "/hooks/globex/invoices");
        await sender.DeleteAsync("stark/crm", "/hooks/stark/contacts");

        var files = new[] { storePath, storePath + "-wal" }.Where(File.Exists).ToList();
        checks.Add($"the store's file{(files.Count > 1 ? "s" : string.Empty)} ({string.Join(", ", files.Select(Path.GetFileName))}) hold none of the secrets in clear",
            files.Count > 0 && !sender.Secrets().Any(secret => files.Any(file => Contains(file, secret))));
        checks.Add("nothing printed holds a secret", !sender.Secrets().Any(secret => console.Printed().Contains(secret, StringComparison.Ordinal)));
    }
}
finally
{
    if (!keepStore)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(storeFolder, recursive: true);
        }
        catch (IOException exception)
        {
            Console.WriteLine($"(could not remove {storeFolder}: {exception.Message})");
        }
    }
}

checks.Print();
Console.WriteLine($"{(checks.AllHeld ? "Every check held" : "SOME CHECKS FAILED")} ({clock.Elapsed.TotalSeconds:0.0} s).");
return checks.AllHeld ? 0 : 1;

static bool Contains(string file, string secret)
{
    using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    return buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) >= 0;
}
