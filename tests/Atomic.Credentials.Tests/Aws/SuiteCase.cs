using System.Text;
using System.Text.Json;
using Atomic.Credentials.Aws;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// One case of the official AWS SigV4 test suite (TestData/aws-signing-test-suite/v4, or v4a for SigV4a; Apache-2.0),
/// turned into the <see cref="HttpRequestMessage"/> a server would see from its request.txt.
/// </summary>
internal sealed class SuiteCase
{
    public static readonly string Root = Path.Combine(AppContext.BaseDirectory, "TestData", "aws-signing-test-suite", "v4");

    public static readonly string V4aRoot = Path.Combine(AppContext.BaseDirectory, "TestData", "aws-signing-test-suite", "v4a");

    private SuiteCase(string name, string root)
    {
        Name = name;
        Directory = Path.Combine(root, name);
    }

    public string Name { get; }

    public string Directory { get; }

    public AwsKeys Keys { get; private set; }

    public string Region { get; private set; } = string.Empty;

    public string Service { get; private set; } = string.Empty;

    public bool Normalize { get; private set; }

    public bool SignBody { get; private set; }

    public bool OmitSessionToken { get; private set; }

    public long ExpiresSeconds { get; private set; }

    public DateTimeOffset Timestamp { get; private set; }

    public static IEnumerable<string> Names(string? root = null) =>
        System.IO.Directory.Exists(root ?? Root)
            ? System.IO.Directory.GetDirectories(root ?? Root).Select(Path.GetFileName).Order(StringComparer.Ordinal)!
            : [];

    public static SuiteCase Load(string name, string? folder = null)
    {
        var result = new SuiteCase(name, folder ?? Root);
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.Directory, "context.json")));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");
        result.Keys = new AwsKeys(
            credentials.GetProperty("access_key_id").GetString()!,
            credentials.GetProperty("secret_access_key").GetString()!,
            credentials.TryGetProperty("token", out var token) ? token.GetString() : null);
        result.Region = root.GetProperty("region").GetString()!;
        result.Service = root.GetProperty("service").GetString()!;
        result.Normalize = root.GetProperty("normalize").GetBoolean();
        result.SignBody = root.GetProperty("sign_body").GetBoolean();
        result.OmitSessionToken = root.TryGetProperty("omit_session_token", out var omit) && omit.GetBoolean();
        result.ExpiresSeconds = root.GetProperty("expiration_in_seconds").GetInt64();
        result.Timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }

    public string Expected(string file) => File.ReadAllText(Path.Combine(Directory, file));

    public bool Has(string file) => File.Exists(Path.Combine(Directory, file));

    public byte[] Body { get; private set; } = [];

    /// <summary>
    /// The request as a server receives it. The path and query stay exactly as written (a raw
    /// space, a raw 'ሴ', dot segments), so the signer sees what the suite means. A header on
    /// several lines is one value joined by ',' (RFC 9110 §5.3); an obs-fold line break is a space.
    /// </summary>
    public HttpRequestMessage Request()
    {
        var raw = File.ReadAllText(Path.Combine(Directory, "request.txt"));
        var split = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split < 0 ? raw : raw[..split];
        Body = split < 0 ? [] : Encoding.UTF8.GetBytes(raw[(split + 2)..]);
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];

        var headers = new List<(string Name, string Value)>();
        foreach (var line in lines.Skip(1).Where(line => line.Length > 0))
        {
            if (line[0] == ' ' || line[0] == '\t')
            {
                headers[^1] = (headers[^1].Name, headers[^1].Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add((line[..colon], line[(colon + 1)..]));
        }

        var host = headers.First(h => h.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value.Trim();
        var uri = new Uri("http://" + host + target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(new HttpMethod(method), uri);
        var isContent = (string name) => name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase);
        if (Body.Length > 0 || headers.Any(h => isContent(h.Name)))
        {
            request.Content = new ByteArrayContent(Body);
        }

        foreach (var group in headers.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
        {
            var value = string.Join(",", group.Select(h => h.Value.Trim()));
            var added = isContent(group.Key)
                ? request.Content!.Headers.TryAddWithoutValidation(group.Key, value)
                : request.Headers.TryAddWithoutValidation(group.Key, value);
            Assert.That(added, Is.True, $"header {group.Key} of {Name}");
        }

        return request;
    }

    /// <summary>
    /// Signs this case's request with <paramref name="signer"/> in header or query mode, with the
    /// case's switches; returns the signature as sent, and <paramref name="trace"/> holds what it was made over.
    /// </summary>
    public string Sign(SigV4Signer signer, bool query, SigV4Trace trace)
    {
        using var request = Request();
        var payloadHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Body));
        var signing = new SigV4Request(Keys, Timestamp, payloadHash)
        {
            PayloadHashHeader = SignBody,
            ExpiresSeconds = ExpiresSeconds,
            S3Rules = !Normalize,
            SessionTokenUnsigned = OmitSessionToken,
            Trace = trace,
        };
        if (!query)
        {
            signer.SignHeaders(request, signing);
            var authorization = request.Headers.GetValues("Authorization").Single();
            return authorization[(authorization.IndexOf("Signature=", StringComparison.Ordinal) + "Signature=".Length)..];
        }

        var presigned = signer.SignQuery(request, signing).Query;
        return presigned[(presigned.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + "X-Amz-Signature=".Length)..];
    }

    public override string ToString() => Name;
}
