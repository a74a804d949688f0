using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atomic.Credentials.Tests.Store;

/// <summary>
/// One valid definition of every kind and preset, each secret field holding a random marker (or,
/// for a private key, a random key whose PEM body is the marker), so a test can look for the
/// markers wherever the store writes or prints.
/// </summary>
internal static class SavedDefinitions
{
    public const string KeyPassphraseField = "Passphrase";

    public static IReadOnlyList<SavedDefinition> All() =>
    [
        Make("BasicAuth", """{ "Username": "svc-orders", "AllowedHosts": ["legacy.example.com"] }""",
            ("Password", Marker())),
        Make("CustomHeaders", """{ "AllowedHosts": ["api.partner.com"] }""",
            ("Headers", new JsonObject { ["X-Api-Key"] = Marker(), ["X-Tenant-Key"] = Marker() })),
        Make("OAuthClientCredentials",
            """{ "IdentityUrl": "https://login.example.com/oauth2/token", "ClientId": "client-1", "Scope": "api.read" }""",
            ("ClientSecret", Marker()),
            ("AdditionalParameters", new JsonObject { ["audience"] = Marker() })),
        WithKey("OAuthClientCredentials", """
            { "IdentityUrl": "https://login.example.com/oauth2/token", "ClientId": "client-2",
              "ClientAuthentication": "PrivateKeyJwt", "Algorithm": "ES256", "KeyId": "k2" }
            """),
        WithDpopKey("""
            { "IdentityUrl": "https://login.example.com/oauth2/token", "ClientId": "client-3", "Dpop": true, "DpopAlgorithm": "ES256" }
            """),
        Make("AwsSignedRequest", """{ "AccessKeyId": "AKIDEXAMPLE", "Service": "execute-api", "Region": "eu-west-1" }""",
            ("SecretAccessKey", Marker()),
            ("SessionToken", Marker())),
        Make("AwsSignedRequest", """{ "AccessKeyId": "AKIDEXAMPLE", "Service": "s3", "SigningAlgorithm": "SigV4a", "RegionSet": ["*"] }""",
            ("SecretAccessKey", Marker()),
            ("SessionToken", Marker())),
        WithKey("KeyPair", """{ "Algorithm": "ES256", "Issuer": "atomic", "Subject": "svc", "Audience": "https://partner.example.com", "KeyId": "k1" }""",
            ("Claims", new JsonObject { ["tenant"] = Marker() })),
        Make("SalesforceMarketingCloud", """{ "Subdomain": "mc563885gzs27c5t9-63k636ttgm", "ClientId": "sfmc-client", "AccountId": "12345" }""",
            ("ClientSecret", Marker())),
        Make("Marketo", """{ "IdentityUrl": "https://123-ABC-456.mktorest.com/identity", "ClientId": "marketo-client" }""",
            ("ClientSecret", Marker())),
        Make("S3Bucket", """{ "BucketName": "my-bucket", "Region": "eu-west-1", "AccessKeyId": "AKIDEXAMPLE" }""",
            ("SecretAccessKey", Marker()),
            ("SessionToken", Marker())),
    ];

    /// <summary>A fresh random marker: 32 hex digits no store would write by chance.</summary>
    public static string Marker() => "SECRET" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static JsonElement With(JsonElement definition, string field, JsonNode? value)
    {
        var node = JsonNode.Parse(definition.GetRawText())!.AsObject();
        node[field] = value;
        return Json(node.ToJsonString());
    }

    public static JsonElement Without(JsonElement definition, string field)
    {
        var node = JsonNode.Parse(definition.GetRawText())!.AsObject();
        node.Remove(field);
        return Json(node.ToJsonString());
    }

    private static SavedDefinition Make(string type, string publicJson, params (string Field, JsonNode Value)[] secrets)
    {
        var node = JsonNode.Parse(publicJson)!.AsObject();
        var publicFields = node.Select(field => field.Key).ToArray();
        node["Type"] = type;
        var markers = new List<string>();
        foreach (var (field, value) in secrets)
        {
            node[field] = value;
            markers.AddRange(value is JsonObject values ? values.Select(entry => entry.Value!.GetValue<string>()) : [value.GetValue<string>()]);
        }

        return new SavedDefinition(type, Json(node.ToJsonString()), publicFields, [.. secrets.Select(secret => secret.Field)], [.. markers]);
    }

    // A fresh EC key encrypted with a passphrase: its PEM body and the passphrase are the markers.
    private static SavedDefinition WithKey(string type, string publicJson, params (string Field, JsonNode Value)[] secrets)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var passphrase = Marker();
        var pem = key.ExportEncryptedPkcs8PrivateKeyPem(passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        var body = pem.Split('\n')[2].Trim();
        var saved = Make(type, publicJson, [.. secrets, ("PrivateKey", pem), (KeyPassphraseField, passphrase)]);
        return saved with { Markers = [.. saved.Markers.Where(marker => marker != pem), body] };
    }

    // An OAuth credential with a DPoP proof key (unencrypted PEM) and a client secret: the PEM body and the secret are the markers.
    private static SavedDefinition WithDpopKey(string publicJson)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();
        var saved = Make("OAuthClientCredentials", publicJson, ("ClientSecret", Marker()), ("DpopKey", pem));
        return saved with { Markers = [.. saved.Markers.Where(marker => marker != pem), pem.Split('\n')[1].Trim()] };
    }
}

/// <param name="Type">The kind.</param>
/// <param name="Definition">Type, public fields and secret fields.</param>
/// <param name="PublicFields">The fields a saved credential shows.</param>
/// <param name="SecretFields">The fields it never shows.</param>
/// <param name="Markers">Every secret value (or a piece of it no store could write otherwise).</param>
public sealed record SavedDefinition(string Type, JsonElement Definition, string[] PublicFields, string[] SecretFields, string[] Markers)
{
    public override string ToString() => $"{Type} ({string.Join(", ", SecretFields)})";
}
