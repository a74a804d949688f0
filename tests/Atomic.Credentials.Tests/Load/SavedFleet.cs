using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Atomic.Credentials.Store;
using Atomic.Credentials.Tests.Aws;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Load;

/// <summary>
/// Saved credentials of every plain kind (Basic, custom headers, OAuth client credentials, key-pair
/// ES256, SigV4), ten a tenant, in a real SQLite file; one client (<c>AddAtomicCredentialHandler()</c>)
/// over an in-process receiver that checks each request against the credential its <c>X-Expect</c>
/// header names: that credential's material, and no header of another kind. Key-pair credentials
/// share a handful of keys (distinct issuer and claims, so each JWT differs). The clock is frozen, so
/// every token request and JWT is predictable; store reads and token requests are counted.
/// </summary>
internal sealed class SavedFleet : IAsyncDisposable
{
    public const string Expect = "X-Expect";
    private const int Keys = 8;
    private static readonly string[] KindsInOrder = ["basic", "headers", "oauth", "keypair", "aws"];

    private readonly string folder = Path.Combine(Path.GetTempPath(), "atomic-saved-load-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider provider;
    private readonly Dictionary<string, Saved> saved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> tokenOwners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> jwtOwners = new(StringComparer.Ordinal);
    private readonly ECDsa[] keys = [.. Enumerable.Range(0, Keys).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))];

    public SavedFleet(int capacity)
    {
        Directory.CreateDirectory(folder);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddAtomicCredentialStore(o =>
        {
            o.MaxResolvedCredentials = capacity;
            o.UseStorage(_ => Storage);
        });
        services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new StubHandler(async (request, token) => IssueToken(await request.Content!.ReadAsStringAsync(token))));
        services.AddHttpClient("outbound")
            .AddAtomicCredentialHandler()
            .ConfigurePrimaryHttpMessageHandler(() => new StubHandler(Receive));
        provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public string FilePath => Path.Combine(folder, "credentials.db");

    /// <summary>The SQLite storage, reads counted: each read is one credential built (or rebuilt) from the store.</summary>
    public CountedStorage Storage => field ??= new CountedStorage(new SqliteCredentialStorage(FilePath, Time));

    public IReadOnlyList<string> Names { get; private set; } = [];

    public ICredentialStore Store => provider.GetRequiredService<ICredentialStore>();

    /// <summary>How many saved credentials are built and held now.</summary>
    public int Held => provider.GetRequiredService<SavedCredentials>().Count;

    public ConcurrentDictionary<string, int> TokenRequests { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct JWTs seen: each verified once against the key and claims of the credential that names it.</summary>
    public int Jwts => jwtOwners.Count;

    /// <summary>Requests that carried no material, another credential's, or a header of another kind.</summary>
    public ConcurrentQueue<string> Wrong { get; } = new();

    public int Received => Volatile.Read(ref received);

    private int received;

    public int CountOf(string kind) => saved.Values.Count(credential => credential.Kind == kind);

    /// <summary>Saves <paramref name="count"/> credentials over <paramref name="tenants"/> tenants, every kind in turn.</summary>
    public async Task SaveAsync(int count, int tenants)
    {
        var perTenant = count / tenants;
        var names = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var tenant = $"t{i / perTenant:D4}";
            var kind = KindsInOrder[i % KindsInOrder.Length];
            var name = $"{tenant}/{kind}-{i % perTenant}";
            var credential = new Saved(name, kind, tenant, i, Secret(i));
            saved.Add(name, credential);
            await Store.SaveAsync(name, Definition(credential));
            names.Add(name);
        }

        Names = names;
    }

    /// <summary>Sends one request naming <paramref name="name"/> to its tenant's host; true when it was answered 200.</summary>
    public async Task<bool> SendAsync(HttpClient client, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{saved[name].Tenant}.hooks.example.com/hook").WithCredential(name);
        request.Headers.Add(Expect, name);
        using var response = await client.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK;
    }

    public HttpClient CreateClient() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("outbound");

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync(); // and the storage it was given
        foreach (var key in keys)
        {
            key.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private static string Secret(int i) => $"secret-{i}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}";

    private JsonElement Definition(Saved credential)
    {
        var (i, secret) = (credential.Index, credential.Secret);
        var definition = new JsonObject { ["AllowedHosts"] = new JsonArray($"{credential.Tenant}.hooks.example.com") };
        switch (credential.Kind)
        {
            case "basic":
                definition["Type"] = "BasicAuth";
                definition["Username"] = $"user-{i}";
                definition["Password"] = secret;
                break;
            case "headers":
                definition["Type"] = "CustomHeaders";
                definition["Headers"] = new JsonObject { ["X-Api-Key"] = secret };
                break;
            case "oauth":
                definition["Type"] = "OAuthClientCredentials";
                definition["IdentityUrl"] = $"https://login.example.com/{credential.Tenant}/token";
                definition["ClientId"] = $"client-{i}";
                definition["ClientSecret"] = secret;
                clients.Add($"client-{i}", credential.Name);
                break;
            case "keypair":
                definition["Type"] = "KeyPair";
                definition["PrivateKey"] = keys[i % Keys].ExportPkcs8PrivateKeyPem();
                definition["Algorithm"] = "ES256";
                definition["Issuer"] = credential.Name;
                definition["Audience"] = "https://hooks.example.com";

                // The clock is frozen while the run takes minutes of real time: the memory cache reclaims an
                // entry after its lifetime of real time (see docs/reliability.md), so a JWT outlives the run.
                definition["Lifetime"] = "01:00:00";
                definition["Claims"] = new JsonObject { ["tenant"] = credential.Tenant, ["nonce"] = secret };
                break;
            default:
                definition["Type"] = "AwsSignedRequest";
                definition["AccessKeyId"] = $"AKIDLOAD{i:D6}";
                definition["SecretAccessKey"] = secret;
                definition["Service"] = "execute-api";
                definition["Region"] = "eu-west-1";
                break;
        }

        return JsonDocument.Parse(definition.ToJsonString()).RootElement.Clone();
    }

    // The identity provider: a token only for a client id with its own secret; whose token it is, remembered.
    private HttpResponseMessage IssueToken(string form)
    {
        var fields = HttpUtility.ParseQueryString(form);
        if (fields["client_id"] is not { } clientId || !clients.TryGetValue(clientId, out var name) || fields["client_secret"] != saved[name].Secret)
        {
            return OAuthTestKit.Json("""{"error":"invalid_client"}""", HttpStatusCode.Unauthorized);
        }

        var number = TokenRequests.AddOrUpdate(name, 1, (_, n) => n + 1);
        var token = $"tok-{Convert.ToHexString(RandomNumberGenerator.GetBytes(12))}-{number}";
        tokenOwners[token] = name;
        return OAuthTestKit.Token(token, expiresIn: 3600);
    }

    // The receiver: the request carries exactly the material of the credential X-Expect names.
    private HttpResponseMessage Receive(HttpRequestMessage request)
    {
        Interlocked.Increment(ref received);
        var name = request.Headers.TryGetValues(Expect, out var expect) ? expect.Single() : "(no X-Expect)";
        if (!saved.TryGetValue(name, out var credential) || !Carries(credential, request))
        {
            Wrong.Enqueue(name);
        }

        return new HttpResponseMessage(HttpStatusCode.OK);
    }

    private bool Carries(Saved credential, HttpRequestMessage request)
    {
        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.Single() : null;
        var apiKey = request.Headers.TryGetValues("X-Api-Key", out var keyValues) ? keyValues.Single() : null;
        var signed = request.Headers.Contains("X-Amz-Date");
        if (request.RequestUri!.Host != $"{credential.Tenant}.hooks.example.com" || (apiKey is not null) != (credential.Kind == "headers") || signed != (credential.Kind == "aws"))
        {
            return false;
        }

        return credential.Kind switch
        {
            "basic" => authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"user-{credential.Index}:{credential.Secret}")),
            "headers" => authorization is null && apiKey == credential.Secret,
            "oauth" => authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                && tokenOwners.TryGetValue(authorization[7..], out var owner) && owner == credential.Name,
            "keypair" => authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                && jwtOwners.GetOrAdd(authorization[7..], JwtOwner) == credential.Name,
            _ => authorization is not null && SignedBy(credential, request, authorization),
        };
    }

    // Whose JWT this is: the credential named by its issuer, if the tenant claim and nonce are that
    // credential's and the signature verifies with that credential's key; else nobody's.
    private string JwtOwner(string jwt)
    {
        var parts = jwt.Split('.');
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var root = payload.RootElement;
        return root.GetProperty("iss").GetString() is { } issuer
            && saved.TryGetValue(issuer, out var credential)
            && credential.Kind == "keypair"
            && root.GetProperty("tenant").GetString() == credential.Tenant
            && root.GetProperty("nonce").GetString() == credential.Secret
            && keys[credential.Index % Keys].VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256)
            ? issuer
            : "(nobody)";
    }

    // SigV4 recomputed by the spec for this GET (no query, empty body) with the secret of the named credential.
    private static bool SignedBy(Saved credential, HttpRequestMessage request, string authorization)
    {
        const string Algorithm = "AWS4-HMAC-SHA256 Credential=";
        if (!authorization.StartsWith(Algorithm + $"AKIDLOAD{credential.Index:D6}/", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = authorization[(Algorithm.Length - "Credential=".Length)..].Split(", ").Select(part => part.Split('=', 2)).ToDictionary(part => part[0], part => part[1]);
        var scope = parts["Credential"].Split('/', 2)[1];
        var signedHeaders = parts["SignedHeaders"].Split(';');
        var canonical = new StringBuilder("GET\n/hook\n\n");
        foreach (var header in signedHeaders)
        {
            var value = header == "host" ? request.RequestUri!.Host : string.Join(", ", request.Headers.GetValues(header)).Trim();
            canonical.Append(header).Append(':').Append(value).Append('\n');
        }

        var payloadHash = request.Headers.TryGetValues("x-amz-content-sha256", out var hashes) ? hashes.Single() : Hex(SHA256.HashData([]));
        canonical.Append('\n').Append(parts["SignedHeaders"]).Append('\n').Append(payloadHash);
        var date = request.Headers.GetValues("X-Amz-Date").Single();
        var toSign = $"AWS4-HMAC-SHA256\n{date}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var scopeParts = scope.Split('/');
        var key = AwsTestSupport.SigningKey(credential.Secret, scopeParts[0], scopeParts[1], scopeParts[2]);
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign))) == parts["Signature"];
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private sealed record Saved(string Name, string Kind, string Tenant, int Index, string Secret);
}

/// <summary>A storage whose reads are counted.</summary>
internal sealed class CountedStorage(SqliteCredentialStorage inner) : ICredentialStorage, IDisposable
{
    private long reads;

    public long Reads => Interlocked.Read(ref reads);

    public Task<StoredCredential?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref reads);
        return inner.ReadAsync(name, cancellationToken);
    }

    public Task<StoredCredential> WriteAsync(StoredCredential row, CancellationToken cancellationToken = default) => inner.WriteAsync(row, cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);

    public Task<IReadOnlyList<StoredCredential>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public IDisposable Watch(Action<string?> changed) => inner.Watch(changed);

    public void Dispose() => inner.Dispose();
}
