using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.Aws;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Tests.Aws;

namespace Atomic.Credentials.IntegrationTests;

/// <summary>
/// Our signatures against AWS's own JS signer (@smithy/signature-v4, run by tests/peers/sigv4-oracle.mjs),
/// with no exclusion: this covers the query orders on which AWSSDK.Core 4.1 disagrees with the
/// official suite (parameters whose decoded and encoded orders differ). SigV4a against
/// @smithy/signature-v4a through the same peer.
/// </summary>
[NonParallelizable]
public sealed class SmithySignerOracleTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 18, 5, 9, TimeSpan.Zero);
    private static readonly string[] Pieces = ["k", "ka", "kк", "Param", "Param-3", "ሴ", "日", "a", "b", "x y", "a+b", "it's", "~t", "Z", "_u", "-d"];

    // Header values as callers write them: runs of spaces, spaces at either end, tabs, empty ones.
    private static readonly string[] Spaced = ["  spaced   value  ", "a ", " b", "", "x\ty", "plain", " lead", "trail  ", "one two"];
    private static readonly string[] SpacedNames = ["X-Custom", "X-Amz-Meta-Tags", "Cookie", "Accept", "x-amz-meta-TAGS"];

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
        queries.AddRange(Enumerable.Range(0, 150).Select(_ => RandomQuery(random)));

        foreach (var query in queries)
        {
            var uri = RandomUri(random, query);
            var body = !presign && random.Next(2) == 0 ? Encoding.UTF8.GetBytes("body " + random.Next()) : null;
            var keys = new AwsKeys("AKIDSMITHY", "smithy/secret+KEY", random.Next(3) == 0 ? "token/" + random.Next() : null);

            var ours = Ours(service, presign, uri, body, keys);
            var theirs = await Smithy(service, presign, uri, body, keys);

            Assert.That(ours, Is.EqualTo(theirs), $"{uri.AbsoluteUri} token={keys.SessionToken is not null} body={body is not null}");
        }
    }

    [TestCase("s3", false)]
    [TestCase("s3", true)]
    [TestCase("execute-api", false)]
    [TestCase("execute-api", true)]
    public async Task Smithy_verifies_multi_valued_and_spaced_headers_from_what_the_wire_carried(string service, bool presign)
    {
        // Each request is signed, sent by HttpClient to a loopback socket, and smithy signs again what arrived there:
        // the header lines as received (a server's view), not the values the request was built from.
        using var wire = new WireCapture();
        var random = new Random(service.Length * 17 + (presign ? 5 : 1));
        for (var i = 0; i < 60; i++)
        {
            var port = random.Next(3) == 0 ? ":8443" : string.Empty;
            var path = "/" + Uri.EscapeDataString(Pieces[random.Next(Pieces.Length)]);
            using var request = new HttpRequestMessage(presign ? HttpMethod.Get : HttpMethod.Put, new Uri($"http://api.example.com{port}{path}?k=v"));
            foreach (var name in SpacedNames.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
            {
                request.Headers.TryAddWithoutValidation(name, Enumerable.Range(0, random.Next(1, 4)).Select(_ => Spaced[random.Next(Spaced.Length)]));
            }

            byte[]? body = null;
            if (!presign)
            {
                body = Encoding.UTF8.GetBytes("body " + i);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain;charset=UTF-8");
                request.Content.Headers.TryAddWithoutValidation("Content-Language", Enumerable.Range(0, random.Next(1, 3)).Select(_ => Spaced[random.Next(Spaced.Length)]));
            }

            var keys = new AwsKeys("AKIDSMITHY", "smithy/secret+KEY", random.Next(3) == 0 ? "token/" + random.Next() : null);
            var signer = new SigV4Signer("eu-central-1", service);
            var payload = presign && signer.IsS3 ? PayloadHash.Unsigned : Convert.ToHexStringLower(SHA256.HashData(body ?? []));
            if (presign)
            {
                request.RequestUri = signer.SignQuery(request, new SigV4Request(keys, At, payload) { ExpiresSeconds = 900 });
            }
            else
            {
                signer.SignHeaders(request, new SigV4Request(keys, At, payload) { PayloadHashHeader = signer.IsS3 });
            }

            var received = await wire.SendAsync(request);
            var theirs = await SmithyOverWhatArrived(service, presign, received, keys);

            Assert.That(SentSignature(received, presign), Is.EqualTo(theirs), received.Head);
        }
    }

    [TestCase("s3")]
    [TestCase("execute-api")]
    public async Task SigV4a_smithy_signs_our_string_to_sign_with_our_derived_key(string service)
    {
        // ECDSA signatures are randomized: smithy's signature is checked with the public half of the key
        // we derive, over the string to sign we made. It verifies only if both sides built the same
        // canonical request and derived the same key. Random keys exercise the derivation too.
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var i = 0; i < 80; i++)
        {
            var uri = RandomUri(random, RandomQuery(random));
            var body = random.Next(2) == 0 ? Encoding.UTF8.GetBytes("body " + random.Next()) : null;
            var keys = new AwsKeys(
                "AKID" + random.Next(), "secret/" + random.Next() + "+" + random.Next(), random.Next(3) == 0 ? "token/" + random.Next() : null);
            var regionSet = random.Next(2) == 0 ? "*" : "us-east-1,eu-west-1";

            var (ours, stringToSign) = OursSigV4a(service, uri, body, keys, regionSet);
            var theirs = await SignWithSmithy(
                service, presign: false, keys, body is null ? "GET" : "PUT", uri.Host, uri.AbsolutePath, Decoded(uri.Query.TrimStart('?')),
                new Dictionary<string, string> { ["x-amz-meta-note"] = "smithy  check" }, body, regionSet, "authorization");

            var context = $"seed {seed}, {uri.AbsoluteUri} token={keys.SessionToken is not null} body={body is not null}\nours   {ours}\ntheirs {theirs}";
            Assert.That(theirs[..theirs.IndexOf(", Signature=", StringComparison.Ordinal)], Is.EqualTo(ours[..ours.IndexOf(", Signature=", StringComparison.Ordinal)]), context);
            var signature = Convert.FromHexString(theirs[(theirs.LastIndexOf('=') + 1)..]);
            Assert.That(
                SigV4aKey.Derive(keys).Key.VerifyData(Encoding.UTF8.GetBytes(stringToSign), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
                Is.True,
                context);
        }
    }

    private static string RandomQuery(Random random) =>
        string.Join("&", Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
            Uri.EscapeDataString(Pieces[random.Next(Pieces.Length)]) + (random.Next(4) == 0 ? string.Empty : "=" + Uri.EscapeDataString(Pieces[random.Next(Pieces.Length)]))));

    private static Uri RandomUri(Random random, string query)
    {
        var path = "/" + string.Join("/", Enumerable.Range(0, random.Next(1, 3)).Select(_ => Uri.EscapeDataString(Pieces[random.Next(Pieces.Length)])));
        return new Uri($"https://api.example.com{path}{(query.Length > 0 ? "?" + query : string.Empty)}");
    }

    // Our SigV4a Authorization header for the request Smithy(...) describes, and the string to sign it was made over.
    private static (string Authorization, string StringToSign) OursSigV4a(string service, Uri uri, byte[]? body, AwsKeys keys, string regionSet)
    {
        using var request = OracleRequest(uri, body);
        var signer = new SigV4Signer(string.Empty, service, new SigV4aSigning(regionSet.Split(',')));
        var trace = new SigV4Trace();
        var payload = Convert.ToHexStringLower(SHA256.HashData(body ?? []));
        signer.SignHeaders(request, new SigV4Request(keys, At, payload) { PayloadHashHeader = signer.IsS3, Trace = trace });
        return (request.Headers.GetValues("Authorization").Single(), trace.StringToSign);
    }

    private static HttpRequestMessage OracleRequest(Uri uri, byte[]? body)
    {
        var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Put, uri);
        request.Headers.TryAddWithoutValidation("X-Amz-Meta-Note", "smithy  check");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        return request;
    }

    private static string SentSignature(WireRequest received, bool presign)
    {
        if (presign)
        {
            return Decoded(received.Query).Single(p => p[0] == "X-Amz-Signature")[1]!;
        }

        var authorization = received.Value("authorization")!;
        return authorization[(authorization.LastIndexOf('=') + 1)..];
    }

    // The received request as smithy's input: the headers our signature names, each as its received line(s).
    private async Task<string> SmithyOverWhatArrived(string service, bool presign, WireRequest received, AwsKeys keys)
    {
        var query = Decoded(received.Query);
        string signedList;
        if (presign)
        {
            signedList = query.Single(p => p[0] == "X-Amz-SignedHeaders")[1]!;
            query = [.. query.Where(p => !p[0]!.StartsWith("X-Amz-", StringComparison.Ordinal))];
        }
        else
        {
            var authorization = received.Value("authorization")!;
            var start = authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal) + "SignedHeaders=".Length;
            signedList = authorization[start..authorization.IndexOf(',', start)];
        }

        // smithy adds host, the date and the session token itself, from what it is given.
        var headers = signedList.Split(';')
            .Where(name => name is not ("host" or "x-amz-date" or "x-amz-security-token"))
            .ToDictionary(name => name, name => received.Value(name) ?? throw new AssertionException($"{name} is signed but was not sent\n{received.Head}"));
        var body = received.Body.Length == 0 ? null : received.Body;
        return await SignWithSmithy(service, presign, keys, received.Method, received.Value("host")!, received.Path, query, headers, body);
    }

    private static string Ours(string service, bool presign, Uri uri, byte[]? body, AwsKeys keys)
    {
        using var request = OracleRequest(uri, body);
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

    private Task<string> Smithy(string service, bool presign, Uri uri, byte[]? body, AwsKeys keys) =>
        SignWithSmithy(service, presign, keys, body is null ? "GET" : "PUT", uri.Host, uri.AbsolutePath, Decoded(uri.Query.TrimStart('?')),
            new Dictionary<string, string> { ["x-amz-meta-note"] = "smithy  check" }, body);

    private static string?[][] Decoded(string query) =>
        [.. query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => new[] { Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null })];

    private async Task<string> SignWithSmithy(
        string service, bool presign, AwsKeys keys, string method, string host, string path, string?[][] query, Dictionary<string, string> headers, byte[]? body,
        string? regionSet = null, string answer = "signature")
    {
        using var response = await oracle.PostAsJsonAsync("sign", new
        {
            method,
            host,
            path,
            query,
            headers,
            body = body is null ? null : Convert.ToBase64String(body),
            accessKeyId = keys.AccessKeyId,
            secretAccessKey = keys.SecretAccessKey,
            sessionToken = keys.SessionToken,
            region = "eu-central-1",
            service,
            date = At.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            presign,
            expiresIn = 900,
            regionSet,
        });
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == System.Net.HttpStatusCode.NotImplemented)
        {
            PeerProcess.RequireOrSkip(text.Split('\n')[0] + " (run 'npm ci' in tests/peers)");
        }

        Assert.That(response.IsSuccessStatusCode, Is.True, text + peer.Output);
        using var result = JsonDocument.Parse(text);
        return result.RootElement.GetProperty(answer).GetString()!;
    }
}
