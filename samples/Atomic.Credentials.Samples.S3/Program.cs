// An S3 bucket through the "S3Bucket" preset and S3BucketClient.
//   dotnet run --project samples/Atomic.Credentials.Samples.S3
//       against a local S3 server that verifies every signature (tests/peers: run `npm ci` there once)
//   AtomicCredentials__exports__BucketName=my-bucket AtomicCredentials__exports__Region=eu-west-1 \
//   dotnet run --project samples/Atomic.Credentials.Samples.S3
//       against your bucket, with AWS's default credential chain (or add …__AccessKeyId / …__SecretAccessKey)
using System.Text;
using Atomic.Credentials;
using Atomic.Credentials.Samples.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning); // the sample prints what matters itself
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("AtomicCredentials:exports:Type", "S3Bucket")] });
await using var standIn = string.IsNullOrEmpty(builder.Configuration["AtomicCredentials:exports:BucketName"]) ? await S3StandIn.StartAsync() : null;
if (standIn is not null)
{
    builder.Configuration.AddInMemoryCollection(standIn.Credential("exports"));
}

// The whole integration: one credential, one client; the client's base address is the bucket's.
builder.Services.AddAtomicCredentials(builder.Configuration.GetSection("AtomicCredentials"));
builder.Services.AddHttpClient("exports").AddAtomicCredentialHandler("exports");

using var host = builder.Build();
using var bucket = S3BucketClient.Create(host.Services, "exports");
var prefix = $"atomic-credentials-sample/{DateTime.UtcNow:yyyyMMddHHmmss}/";
Console.WriteLine($"S3 bucket ({(standIn is null ? "yours" : "local s3rver")}), objects under {prefix}");

// An export: a file streamed from disk, with its content type.
var file = Path.GetTempFileName();
await File.WriteAllTextAsync(file, "id,total\n1,42\n2,17\n");
try
{
    Console.WriteLine($"  put {prefix}orders.csv: ETag {await bucket.PutFileAsync(prefix + "orders.csv", file, "text/csv")}");
}
finally
{
    File.Delete(file);
}

await bucket.PutObjectAsync(prefix + "summary.json", new MemoryStream(Encoding.UTF8.GetBytes("""{"orders":2}""")), "application/json");
await foreach (var item in bucket.ListObjectsAsync(prefix, pageSize: 1))
{
    Console.WriteLine($"  listed {item.Key} ({item.Size} bytes)");
}

using (var response = await bucket.GetObjectAsync(prefix + "orders.csv"))
{
    Console.WriteLine($"  got {prefix}orders.csv: {(await response.Content.ReadAsStringAsync()).Replace("\n", "\\n", StringComparison.Ordinal)}");
}

var link = await bucket.PresignDownloadAsync(prefix + "summary.json", TimeSpan.FromMinutes(10));
using (var anonymous = new HttpClient())
{
    Console.WriteLine($"  presigned download (no credential on that client): {await anonymous.GetStringAsync(link)}");
}

await bucket.DeleteObjectAsync(prefix + "orders.csv");
await bucket.DeleteObjectAsync(prefix + "summary.json");
var left = 0;
await foreach (var _ in bucket.ListObjectsAsync(prefix))
{
    left++;
}

Console.WriteLine($"  deleted; {left} objects left under the prefix");
return left == 0 ? 0 : 1;
