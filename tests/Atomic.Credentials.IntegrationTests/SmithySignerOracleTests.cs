using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.Aws;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests;

/// <summary>
/// Our signatures against AWS's own JS signer (@smithy/signature-v4, run by tests/peers/sigv4-oracle.mjs),
/// with no exclusion: this covers the query orders on which AWSSDK.Core 4.1 disagrees with the
/// official suite (parameters whose decoded and encoded orders differ).
/// </summary>
[NonParallelizable]
public sealed class SmithySignerOracleTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 18, 5, 9, TimeSpan.Zero);
    private static readonly string[] Pieces = ["k", "ka", "kк", "Param", "Param-3", "ሴ", "日", "a", "b", "x y", "a+b", "it's", "~t", "Z", "_u", "-d"];

    private PeerProcess peer = null!;
    private HttpClient oracle = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        peer = await PeerProcess.StartNodeAsync("sigv4-oracle.mjs");
        using var ready = JsonDocument.Parse(peer.ReadyLine);
        oracle = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ready.RootElement.GetProperty("port").GetInt32()}/") };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        oracle?.Dispose();
        if (peer is not null)
        {
            await peer.DisposeAsync();
        }
    }

    [TestCase("s3", false)]
    [TestCase("s3", true)]
    [TestCase("execute-api", false)]
    [TestCase("execute-api", true)]
    public async Task Signatures_equal_smithy_on_generated_requests_including_the_disputed_query_orders(string service, bool presign)
    {
        var random = new Random(service.Length * 31 + (presign ? 7 : 3));
        var queries = new List<string> { "ka=1&k%D0%BA=2", "b=%E6%97%A5&b=a", "Param-3=Value3&Param=Value2&%E1%88%B4=Value1" };
        for (var i = 0; i < 150; i++)
        {
            queries.Add(string.Join("&", Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
                Uri.EscapeDataString(Pieces[random.Next(Pieces.Length)]) + (random.Next(4) == 0 ? string.Empty : "=" + Uri.EscapeDataString(Pieces[random.Next(Pieces.Length)])))));
        }

        foreach (var query in queries)
        {
            var path = "/" + string.Join("/", Enumerable.Range(0, random.Next(1, 3)).Select(_ => Uri.EscapeDataString(Pieces[random.Next(Pieces.Length)])));
            var uri = new Uri($"https://api.example.com{path}{(query.Length > 0 ? "?" + query : string.Empty)}");
            var body = !presign && random.Next(2) == 0 ? Encoding.UTF8.GetBytes("body " + random.Next()) : null;
            var keys = new AwsKeys("AKIDSMITHY", "smithy/secret+KEY", random.Next(3) == 0 ? "token/" + random.Next() : null);

            var ours = Ours(service, presign, uri, body, keys);
            var theirs = await Smithy(service, presign, uri, body, keys);

            Assert.That(ours, Is.EqualTo(theirs), $"{uri.AbsoluteUri} token={keys.SessionToken is not null} body={body is not null}");
        }
    }

    private static string Ours(string service, bool presign, Uri uri, byte[]? body, AwsKeys keys)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Put, uri);
        request.Headers.TryAddWithoutValidation("X-Amz-Meta-Note", "smithy  check");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        var signer = new SigV4Signer("eu-central-1", service);
        var payload = presign && signer.IsS3 ? PayloadHash.Unsigned : Convert.ToHexStringLower(SHA256.HashData(body ?? []));
        if (presign)
        {
            var query = signer.SignQuery(request, new SigV4Request(keys, At, payload) { ExpiresSeconds = 900 }).Query;
            return query[(query.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + "X-Amz-Signature=".Length)..];
        }

        signer.SignHeaders(request, new SigV4Request(keys, At, payload) { PayloadHashHeader = signer.IsS3 });
        var authorization = request.Headers.GetValues("Authorization").Single();
        return authorization[(authorization.LastIndexOf('=') + 1)..];
    }

    private async Task<string> Smithy(string service, bool presign, Uri uri, byte[]? body, AwsKeys keys)
    {
        var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => new[] { Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null })
            .ToArray();
        using var response = await oracle.PostAsJsonAsync("sign", new
        {
            method = body is null ? "GET" : "PUT",
            host = uri.Host,
            path = uri.AbsolutePath,
            query,
            headers = new Dictionary<string, string> { ["x-amz-meta-note"] = "smithy  check" },
            body = body is null ? null : Convert.ToBase64String(body),
            accessKeyId = keys.AccessKeyId,
            secretAccessKey = keys.SecretAccessKey,
            sessionToken = keys.SessionToken,
            region = "eu-central-1",
            service,
            date = At.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            presign,
            expiresIn = 900,
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, text + peer.Output);
        using var result = JsonDocument.Parse(text);
        return result.RootElement.GetProperty("signature").GetString()!;
    }
}
