using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.Samples.Webhooks.Tenants;

/// <summary>
/// A key-pair JWT (ES256): the sender saves the private key; the receiver holds only the public
/// half, verifies each JWT's signature with it, and checks issuer, audience, expiry and the tenant claim.
/// </summary>
internal sealed class KeyPairTenant : TenantCredential
{
    private const string Issuer = "atomic-webhooks";
    private ECDsa privateKey;
    private ECDsa publicKey;

    public KeyPairTenant(string tenant, string credential)
        : base(tenant, credential) => (privateKey, publicKey) = NewKeyPair();

    private string KeyId => $"{Tenant}-k{SecretVersion}";

    private string Audience => $"https://hooks.{Tenant}.example";

    public override IReadOnlyList<string> CredentialHeaders { get; } = ["Authorization"];

    public override JsonElement Definition(Uri receiver) => Json($$"""
        { "Type": "KeyPair", "PrivateKey": {{JsonSerializer.Serialize(privateKey.ExportPkcs8PrivateKeyPem())}}, "Algorithm": "ES256",
          "KeyId": "{{KeyId}}", "Issuer": "{{Issuer}}", "Subject": "{{Tenant}}", "Audience": "{{Audience}}",
          "Lifetime": "00:05:00", "Claims": { "tenant": "{{Tenant}}" }, "AllowedHosts": ["127.0.0.1"] }
        """);

    public override ValueTask<Verdict> VerifyAsync(HttpRequest request, byte[] body)
    {
        var header = request.Headers.Authorization.ToString();
        var parts = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Split('.') : [];
        if (parts.Length != 3)
        {
            return ValueTask.FromResult(Reject("no Bearer JWT"));
        }

        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!publicKey.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256))
        {
            return ValueTask.FromResult(Reject($"a JWT not signed by {Tenant}'s current key"));
        }

        using var jose = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var jwt = claims.RootElement;
        var valid = jose.RootElement.GetProperty("alg").GetString() == "ES256"
            && jwt.GetProperty("iss").GetString() == Issuer
            && jwt.GetProperty("aud").GetString() == Audience
            && jwt.GetProperty("tenant").GetString() == Tenant
            && DateTimeOffset.FromUnixTimeSeconds(jwt.GetProperty("exp").GetInt64()) > DateTimeOffset.UtcNow;
        return ValueTask.FromResult(valid
            ? Accept($"ES256 JWT kid {jose.RootElement.GetProperty("kid").GetString()}, tenant claim {Tenant}, signature verified with the public key")
            : Reject("a JWT with the wrong issuer, audience, tenant or expiry"));
    }

    protected override void NewSecrets()
    {
        privateKey.Dispose();
        publicKey.Dispose();
        (privateKey, publicKey) = NewKeyPair();
    }

    private (ECDsa Private, ECDsa Public) NewKeyPair()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();

        // The key's base64 lines are what a dump of the store must not show.
        foreach (var line in pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)))
        {
            Remember(line);
        }

        var receiverSide = ECDsa.Create();
        receiverSide.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());
        return (key, receiverSide);
    }
}
