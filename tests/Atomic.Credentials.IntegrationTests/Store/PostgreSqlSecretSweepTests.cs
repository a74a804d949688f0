using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Atomic.Credentials.Tests.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// Every secret field of every kind and preset saved to PostgreSQL: a <c>pg_dump</c> holds none in
/// clear, and each saved credential is then resolved and applied through the no-name handler to a
/// loopback receiver, which shows every secret was stored and is used (so the sweep looks for
/// markers that really are in the rows).
/// </summary>
[NonParallelizable]
public sealed partial class PostgreSqlSecretSweepTests : PostgreSqlTestBase
{
    private const string PublicValue = "svc-orders"; // BasicAuth's Username: shown, so stored in clear

    [Test]
    public async Task No_secret_of_any_kind_is_in_a_dump_and_every_saved_credential_applies_its_secrets()
    {
        await using var app = await SavedCredentialApp.StartAsync(services =>
        {
            services.AddAtomicCredentialsPostgreSqlStorage(Server.ConnectionString, o => o.Schema = Schema);
            services.AddAtomicCredentialStore();
        });
        var all = SavedDefinitions.All();
        for (var index = 0; index < all.Count; index++)
        {
            await app.Store.SaveAsync(NameOf(index, all[index]), ForReceiver(all[index], app.Address));
        }

        var dump = await Server.DumpAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dump, Does.Contain($"CREATE TABLE {Schema}.credentials").And.Contain(PublicValue), "the dump has the table and its rows");
            foreach (var saved in all)
            {
                foreach (var marker in saved.Markers)
                {
                    Assert.That(dump.Contains(marker, StringComparison.Ordinal), Is.False, $"pg_dump holds a secret of {saved} in clear: {marker[..10]}…");
                }
            }
        });

        for (var index = 0; index < all.Count; index++)
        {
            var saved = all[index];
            var before = app.Received.Count;
            Assert.That(await app.SendAsync(NameOf(index, saved), $"hook/{index}"), Is.EqualTo(HttpStatusCode.OK), saved.ToString());
            var carried = app.Received.Skip(before).ToList();
            Assert.That(carried.Select(r => r.Path), Does.Contain($"/hook/{index}"), $"{saved}: the request was sent");
            AssertEverySecretUsed(saved, carried);
        }
    }

    private static string NameOf(int index, SavedDefinition saved) => $"tenant{index}/{saved.Type}";

    /// <summary>The same secrets, its addresses pointed at the receiver (token endpoints, S3 service, allowed hosts).</summary>
    private static System.Text.Json.JsonElement ForReceiver(SavedDefinition saved, Uri receiver)
    {
        var node = JsonNode.Parse(saved.Definition.GetRawText())!.AsObject();
        if (node.ContainsKey("AllowedHosts"))
        {
            node["AllowedHosts"] = new JsonArray("127.0.0.1");
        }

        switch (saved.Type)
        {
            case "OAuthClientCredentials":
                node["IdentityUrl"] = new Uri(receiver, "/token").AbsoluteUri;
                break;
            case "SalesforceMarketingCloud":
                node["AuthBaseUrl"] = receiver.AbsoluteUri;
                break;
            case "Marketo":
                (node["IdentityUrl"], node["RestUrl"]) = (new Uri(receiver, "/identity").AbsoluteUri, receiver.AbsoluteUri);
                break;
            case "S3Bucket":
                (node["ServiceUrl"], node["ForcePathStyle"]) = (receiver.AbsoluteUri.TrimEnd('/'), true);
                break;
        }

        return SavedDefinitions.Json(node.ToJsonString());
    }

    /// <summary>
    /// Each marker either reached the receiver (a header, a Basic password, a token request's form,
    /// JSON or query, a JWT's claims) or signed what did: a JWT verified with the saved private key
    /// (opened with the saved passphrase), a SigV4 signature recomputed with the saved secret key.
    /// </summary>
    private static void AssertEverySecretUsed(SavedDefinition saved, List<Received> carried)
    {
        var definition = JsonNode.Parse(saved.Definition.GetRawText())!.AsObject();
        var text = string.Join('\n', carried.Select(Evidence));
        var provenBySignature = new List<string>();
        if (definition["PrivateKey"]?.GetValue<string>() is { } pem)
        {
            var passphrase = definition[SavedDefinitions.KeyPassphraseField]!.GetValue<string>();
            using var key = ECDsa.Create();
            key.ImportFromEncryptedPem(pem, passphrase);
            var jwts = Jwt().Matches(text).Select(match => match.Value).Distinct().ToList();
            Assert.That(jwts.Any(jwt => Verifies(jwt, key)), Is.True, $"{saved}: a JWT signed with the saved key was sent ({jwts.Count} seen)");
            provenBySignature.AddRange([pem.Split('\n')[2].Trim(), passphrase]);
        }

        if (definition["DpopKey"]?.GetValue<string>() is { } dpopPem)
        {
            // A DPoP proof key: every request carries a proof (a JWT in the DPoP header) signed with it.
            using var key = ECDsa.Create();
            key.ImportFromPem(dpopPem);
            var proofs = carried.Where(r => r.Headers.ContainsKey("DPoP")).Select(r => r.Headers["DPoP"].ToString()).ToList();
            Assert.That(proofs, Is.Not.Empty.And.All.Matches<string>(proof => Verifies(proof, key)), $"{saved}: every DPoP proof is signed with the saved key");
            provenBySignature.Add(dpopPem.Split('\n')[1].Trim());
        }

        if (definition["SecretAccessKey"]?.GetValue<string>() is { } secretKey)
        {
            var signed = carried.Single(r => r.Path.StartsWith("/hook/", StringComparison.Ordinal));
            Assert.That(SigV4Verifies(signed, secretKey), Is.True, $"{saved}: the SigV4 (or SigV4a) signature is the saved secret key's");
            provenBySignature.Add(secretKey);
        }

        foreach (var marker in saved.Markers.Except(provenBySignature))
        {
            Assert.That(text, Does.Contain(marker), $"{saved}: a saved secret reached the receiver ({marker[..10]}…)");
        }
    }

    // Headers (a Basic header decoded), query and body URL-decoded, and every JWT's claims.
    private static string Evidence(Received request)
    {
        var text = new StringBuilder()
            .AppendJoin('\n', request.Headers.Select(h => $"{h.Key}: {h.Value}")).Append('\n')
            .Append(WebUtility.UrlDecode(request.Query)).Append('\n')
            .Append(WebUtility.UrlDecode(request.Body)).Append('\n')
            .Append(SavedCredentialApp.PasswordOf(request)).Append('\n');
        foreach (Match jwt in Jwt().Matches(text.ToString()))
        {
            text.Append(Encoding.UTF8.GetString(Base64Url(jwt.Value.Split('.')[1]))).Append('\n');
        }

        return text.ToString();
    }

    private static bool Verifies(string jwt, ECDsa key)
    {
        var parts = jwt.Split('.');
        return key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256);
    }

    // The request as the receiver got it, signed again with the saved key: only that key gives the same signature.
    // SigV4a: its ECDSA signature verified with the public half of the key the saved secret derives.
    private static bool SigV4Verifies(Received request, string secretKey)
    {
        var authorization = request.Headers.Authorization.ToString();
        var algorithm = authorization[..authorization.IndexOf(' ', StringComparison.Ordinal)];
        var scope = Regex.Match(authorization, "Credential=[^/]+/([^,]+)").Groups[1].Value; // date/region/service/aws4_request
        var signedHeaders = Regex.Match(authorization, "SignedHeaders=([^,]+)").Groups[1].Value;
        var signature = Regex.Match(authorization, "Signature=([0-9a-f]+)").Groups[1].Value;
        var payloadHash = request.Headers.TryGetValue("x-amz-content-sha256", out var hash) ? hash.ToString() : Hex(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body)));
        var canonical = string.Join('\n',
            request.Method, request.Path, request.Query.TrimStart('?'),
            string.Concat(signedHeaders.Split(';').Select(name => $"{name}:{request.Headers[name].ToString().Trim()}\n")),
            signedHeaders, payloadHash);
        var toSign = string.Join('\n', algorithm, request.Headers["x-amz-date"].ToString(), scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        if (algorithm == "AWS4-ECDSA-P256-SHA256")
        {
            using var derived = Atomic.Credentials.Tests.Aws.SigV4aReference.DerivedKey(Regex.Match(authorization, "Credential=([^/]+)/").Groups[1].Value, secretKey);
            return derived.VerifyData(Encoding.UTF8.GetBytes(toSign), Convert.FromHexString(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }

        var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var part in scope.Split('/'))
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign))) == signature;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Base64Url(string value) => Convert.FromBase64String(
        value.Replace('-', '+').Replace('_', '/').PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '='));

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")]
    private static partial Regex Jwt();
}
