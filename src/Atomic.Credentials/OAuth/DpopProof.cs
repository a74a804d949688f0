using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.Internal;
using Atomic.Credentials.KeyPair;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// DPoP (RFC 9449) for one options instance: the proof key, its public JWK and RFC 7638 thumbprint,
/// and a fresh proof JWT per request, made by the package's one JWT factory. A proof names the
/// request's method (<c>htm</c>) and URL without query or fragment (<c>htu</c>), carries a fresh
/// <c>jti</c> and <c>iat</c>, on an API request the token's hash (<c>ath</c>), and the server's
/// latest nonce when it gave one.
/// </summary>
internal sealed class DpopProof
{
    /// <summary>The header a proof travels in, and the Authorization scheme of a DPoP-bound token.</summary>
    public const string Scheme = "DPoP";

    /// <summary>What a cached DPoP token's value starts with: the scheme and its space.</summary>
    public const string Prefix = Scheme + " ";

    public const string KeyField = nameof(OAuthClientCredentialsOptions.DpopKey);

    public const string AlgorithmField = nameof(OAuthClientCredentialsOptions.DpopAlgorithm);

    /// <summary>The proof algorithms offered: what identity providers verify (ES256 first, the usual default).</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["ES256", "RS256"];

    private const string TokenType = "dpop+jwt";

    // A proof is checked against iat; exp only tells a verifier that reads it how short-lived the proof is.
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    // One generated key per algorithm per process: every credential without a DpopKey shares it.
    private static readonly ConcurrentDictionary<string, KeyPairSigningKey> ProcessKeys = new(StringComparer.Ordinal);

    private readonly KeyPairSigningKey key;
    private readonly Dictionary<string, object> header;
    private readonly TimeProvider timeProvider;
    private TokenHash? lastHash;

    private DpopProof(KeyPairSigningKey key, TimeProvider timeProvider)
    {
        this.key = key;
        this.timeProvider = timeProvider;
        var publicKey = KeyPairPublicKey.From(key);
        Thumbprint = publicKey.JwkThumbprint;
        using var jwk = JsonDocument.Parse(publicKey.ToRequiredMembersJwk());
        var members = jwk.RootElement.EnumerateObject().ToDictionary(member => member.Name, object (member) => member.Value.GetString()!, StringComparer.Ordinal);
        header = new Dictionary<string, object>(StringComparer.Ordinal) { ["jwk"] = members };
    }

    /// <summary>The RFC 7638 thumbprint of the proof key: what a bound token's <c>cnf.jkt</c> holds.</summary>
    public string Thumbprint { get; }

    public string Algorithm => key.Algorithm;

    /// <summary>The servers' latest nonces, by origin.</summary>
    public DpopNonces Nonces { get; } = new();

    /// <summary>The proof maker for <paramref name="options"/>, or null when DPoP is off.</summary>
    public static DpopProof? For(OAuthClientCredentialsOptions options, TimeProvider timeProvider)
    {
        if (!options.Dpop)
        {
            return null;
        }

        var algorithm = AlgorithmOf(options);
        var key = string.IsNullOrWhiteSpace(options.DpopKey)
            ? ProcessKeys.GetOrAdd(algorithm, KeyPairSigningKey.Generate)
            : KeyPairSigningKey.Load(options.DpopKey, null, algorithm, null);
        return new DpopProof(key, timeProvider);
    }

    /// <summary>Reports a bad <c>DpopAlgorithm</c> or <c>DpopKey</c>, naming the field and never the value.</summary>
    public static void Validate(OptionsErrors errors, OAuthClientCredentialsOptions options)
    {
        if (!options.Dpop)
        {
            if (!string.IsNullOrEmpty(options.DpopKey) || !string.IsNullOrEmpty(options.DpopAlgorithm))
            {
                errors.Add(nameof(options.Dpop), "must be true when DpopKey or DpopAlgorithm is set");
            }

            return;
        }

        if (!Algorithms.Contains(options.DpopAlgorithm?.Trim() ?? Algorithms[0], StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(AlgorithmField, "must be one of " + string.Join(", ", Algorithms));
            return;
        }

        if (string.IsNullOrWhiteSpace(options.DpopKey))
        {
            return;
        }

        try
        {
            KeyPairSigningKey.Load(options.DpopKey, null, AlgorithmOf(options), null).Key.Dispose();
        }
        catch (SigningKeyException e)
        {
            // The key-pair loader speaks of PrivateKey, Passphrase and Algorithm; here they are DpopKey and DpopAlgorithm.
            var (field, problem) = e.Field switch
            {
                KeyPairSigningKey.AlgorithmField => (AlgorithmField, "does not fit DpopKey: ES256 signs with an EC P-256 key, RS256 with an RSA key"),
                PrivateKeyLoader.PassphraseField => (KeyField, "is an encrypted key; a DPoP key is read without a passphrase"),
                _ => (KeyField, e.Problem),
            };
            errors.Add(field, problem);
        }
    }

    /// <summary>
    /// Puts a new proof for <paramref name="request"/> on it; <paramref name="authorization"/> is the
    /// <c>DPoP …</c> value it carries to an API (the token is hashed into <c>ath</c>), or null on a token request.
    /// </summary>
    public void Prove(HttpRequestMessage request, string? authorization)
    {
        var uri = request.RequestUri!;
        HeaderNames.Set(request, Scheme, Create(request.Method, uri, authorization is null ? null : TokenHashOf(authorization), Nonces.For(uri)));
    }

    /// <summary>A proof JWT for one request.</summary>
    public string Create(HttpMethod method, Uri uri, string? accessTokenHash, string? nonce)
    {
        var claims = new Dictionary<string, object>(4, StringComparer.Ordinal)
        {
            ["htm"] = method.Method,
            ["htu"] = TargetUri(uri),
        };
        if (accessTokenHash is not null)
        {
            claims["ath"] = accessTokenHash;
        }

        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        return JwtFactory.Create(key, new JwtClaims(null, null, [], Lifetime, TokenType, claims, header), timeProvider.GetUtcNow()).Token;
    }

    /// <summary><c>htu</c>: scheme, host, port when not the default, and path; no user info, query or fragment (RFC 9449 §4.2).</summary>
    public static string TargetUri(Uri uri) =>
        uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    /// <summary><c>ath</c>: base64url of the SHA-256 of the access token's ASCII bytes.</summary>
    public static string AccessTokenHash(ReadOnlySpan<char> accessToken)
    {
        var bytes = new byte[Encoding.ASCII.GetByteCount(accessToken)];
        Encoding.ASCII.GetBytes(accessToken, bytes);
        return Base64Url.EncodeToString(SHA256.HashData(bytes));
    }

    // A token is used for many requests: its hash is computed once, when it first appears.
    private string TokenHashOf(string authorization)
    {
        var last = lastHash;
        if (last is not null && ReferenceEquals(last.Authorization, authorization))
        {
            return last.Hash;
        }

        var token = authorization.AsSpan(authorization.StartsWith(Prefix, StringComparison.Ordinal) ? Prefix.Length : 0);
        last = new TokenHash(authorization, AccessTokenHash(token));
        lastHash = last;
        return last.Hash;
    }

    private static string AlgorithmOf(OAuthClientCredentialsOptions options)
    {
        if (options.DpopAlgorithm is not null || string.IsNullOrWhiteSpace(options.DpopKey))
        {
            return Algorithms.First(known => string.Equals(known, options.DpopAlgorithm?.Trim() ?? Algorithms[0], StringComparison.OrdinalIgnoreCase));
        }

        // No algorithm named: the key says which (an RSA key signs RS256, an EC key ES256).
        using var key = PrivateKeyLoader.Load(options.DpopKey, null);
        return key is System.Security.Cryptography.RSA ? "RS256" : "ES256";
    }

    private sealed record TokenHash(string Authorization, string Hash);
}
