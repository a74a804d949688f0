using Atomic.Credentials.Aws;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>The signed host is the Host header HttpClient actually sends, compared on a real socket.</summary>
public sealed class AwsCanonicalHostTests
{
    [TestCase("127.0.0.1")]
    [TestCase("[::1]")]
    public async Task The_signed_host_line_is_the_host_header_the_server_receives(string loopback)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{loopback}:0");
        await using var app = builder.Build();
        app.MapGet("/{**path}", (HttpRequest request) => request.Headers.Host.ToString());
        try
        {
            await app.StartAsync();
        }
        catch (IOException) when (loopback.StartsWith('['))
        {
            Assert.Ignore("IPv6 loopback is not available on this machine");
        }

        var address = new Uri(app.Urls.First());
        using var client = new HttpClient();
        var received = await client.GetStringAsync(new Uri(address, "/object"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/object"));
        var trace = new SigV4Trace();

        new SigV4Signer("us-east-1", "s3").SignHeaders(request, new SigV4Request(new AwsKeys("AKID", Secret, null), Now, PayloadHash.Empty) { PayloadHashHeader = true, Trace = trace });

        Assert.That(trace.CanonicalRequest, Does.Contain("\nhost:" + received + "\n"));
        Assert.That(received, Does.EndWith(":" + address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await app.StopAsync();
    }
}
