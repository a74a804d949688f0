using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// SigV4a as a server checks it, written from the spec apart from the library: the key derived with
/// BigInteger arithmetic, the canonical request rebuilt from what was sent, the signature verified.
/// Enough for the simple requests the tests send (paths and queries that need no normalizing).
/// </summary>
internal static class SigV4aReference
{
    private static readonly BigInteger Order = BigInteger.Parse(
        "0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The private key d the spec derives; the public half is computed from it.</summary>
    public static ECDsa DerivedKey(string accessKeyId, string secret)
    {
        var hmacKey = Encoding.UTF8.GetBytes("AWS4A" + secret);
        for (var counter = 1; counter <= 254; counter++)
        {
            byte[] fixedInput = [0, 0, 0, 1, .. "AWS4-ECDSA-P256-SHA256"u8, 0, .. Encoding.UTF8.GetBytes(accessKeyId), (byte)counter, 0, 0, 1, 0];
            var candidate = new BigInteger(HMACSHA256.HashData(hmacKey, fixedInput), isUnsigned: true, isBigEndian: true);
            if (candidate <= Order - 2)
            {
                var d = (candidate + 1).ToByteArray(isUnsigned: true, isBigEndian: true);
                return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = [.. new byte[32 - d.Length], .. d] });
            }
        }

        throw new InvalidOperationException("no key");
    }

    /// <summary>Whether the Authorization header of <paramref name="sent"/> verifies with <paramref name="key"/>.</summary>
    public static bool HeaderSignatureVerifies(HttpRequestMessage sent, ECDsa key)
    {
        var authorization = Header(sent, "Authorization")!;
        var parts = authorization["AWS4-ECDSA-P256-SHA256 ".Length..].Split(", ").Select(part => part.Split('=', 2)).ToDictionary(part => part[0], part => part[1]);
        var signedHeaders = parts["SignedHeaders"];
        var headerLines = signedHeaders.Split(';').Select(name => name + ":" + (name == "host" ? sent.RequestUri!.Authority : Header(sent, name)!.Trim()));
        var canonical = string.Join('\n',
            sent.Method.Method,
            sent.RequestUri!.AbsolutePath,
            SortedQuery(sent.RequestUri, except: null),
            string.Join('\n', headerLines) + "\n",
            signedHeaders,
            Header(sent, "x-amz-content-sha256") ?? EmptyHash);
        var scope = parts["Credential"][(parts["Credential"].IndexOf('/', StringComparison.Ordinal) + 1)..];
        return Verifies(key, Header(sent, "X-Amz-Date")!, scope, canonical, parts["Signature"]);
    }

    /// <summary>Whether the presigned <paramref name="uri"/> verifies with <paramref name="key"/> (S3: UNSIGNED-PAYLOAD; host signed alone).</summary>
    public static bool QuerySignatureVerifies(HttpMethod method, Uri uri, ECDsa key)
    {
        var canonical = string.Join('\n', method.Method, uri.AbsolutePath, SortedQuery(uri, except: "X-Amz-Signature"), "host:" + uri.Authority + "\n", "host", "UNSIGNED-PAYLOAD");
        var credential = Uri.UnescapeDataString(Query(uri, "X-Amz-Credential").Single());
        var scope = credential[(credential.IndexOf('/', StringComparison.Ordinal) + 1)..];
        return Verifies(key, Query(uri, "X-Amz-Date").Single(), scope, canonical, Query(uri, "X-Amz-Signature").Single());
    }

    private static bool Verifies(ECDsa key, string date, string scope, string canonicalRequest, string signature)
    {
        var stringToSign = $"AWS4-ECDSA-P256-SHA256\n{date}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        return key.VerifyData(Encoding.UTF8.GetBytes(stringToSign), Convert.FromHexString(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static string SortedQuery(Uri uri, string? except) =>
        string.Join('&', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => except is null || !pair.StartsWith(except + "=", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal));

    private static string[] Query(Uri uri, string name) => System.Web.HttpUtility.ParseQueryString(uri.Query).GetValues(name) ?? [];

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : request.Content?.Headers.TryGetValues(name, out var contentValues) == true ? string.Join(",", contentValues) : null;
}
