using System.Security.Cryptography;
using System.Text.Json;
using Atomic.Credentials.Aws;
using static Atomic.Credentials.Tests.Aws.AwsSigningSuiteTests;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// The official AWS SigV4a test suite (aws-c-auth's aws-signing-test-suite/v4a, copied with its
/// LICENSE and NOTICE into TestData): every case, in header and in query (presigned) mode. The
/// canonical request and the string to sign are compared; ECDSA signatures are randomized, so ours
/// is verified with the suite's public key instead, and the key we derive is compared with it.
/// Two cases (get-vanilla-query-order-key, -value) ship a request without expected files: for them
/// only the signature is checked (it verifies over the string to sign we made).
/// </summary>
public sealed class AwsSigningV4aSuiteTests
{
    private static readonly string[] Prefixes = ["header", "query"];

    public static IEnumerable<TestCaseData> Checks() =>
        from name in SuiteCase.Names(SuiteCase.V4aRoot)
        from mode in new[] { Mode.Header, Mode.Query }
        from part in new[] { Part.CanonicalRequest, Part.StringToSign, Part.Signature }
        where part == Part.Signature || SuiteCase.Load(name, SuiteCase.V4aRoot).Has(File(mode, part))
        select new TestCaseData(name, mode, part).SetName($"v4a {name} {mode} {part}");

    [Test]
    public void The_whole_v4a_suite_is_present()
    {
        Assert.That(SuiteCase.Names(SuiteCase.V4aRoot).Count(), Is.EqualTo(40), $"cases under {SuiteCase.V4aRoot}");
        Assert.That(Checks().Count(), Is.EqualTo((38 * 2 * 3) + (2 * 2)));
        Assert.That(System.IO.File.Exists(Path.Combine(SuiteCase.V4aRoot, "..", "LICENSE")) && System.IO.File.Exists(Path.Combine(SuiteCase.V4aRoot, "..", "NOTICE")), Is.True);
    }

    [TestCaseSource(nameof(Checks))]
    public void Matches_the_suite(string name, Mode mode, Part part)
    {
        var suite = SuiteCase.Load(name, SuiteCase.V4aRoot);
        var trace = new SigV4Trace();
        var signer = new SigV4Signer(suite.Region, suite.Service, new SigV4aSigning([suite.Region]));
        var signature = suite.Sign(signer, mode == Mode.Query, trace);

        switch (part)
        {
            case Part.CanonicalRequest:
            case Part.StringToSign:
                var made = part == Part.CanonicalRequest ? trace.CanonicalRequest : trace.StringToSign;
                Assert.That(made, Is.EqualTo(suite.Expected(File(mode, part))));
                break;
            default:
                using (var publicKey = PublicKey(suite))
                {
                    Assert.That(
                        publicKey.VerifyData(System.Text.Encoding.UTF8.GetBytes(trace.StringToSign), Convert.FromHexString(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
                        Is.True,
                        $"our signature {signature} over the string to sign, with the suite's public key");
                }

                break;
        }
    }

    [Test]
    public void The_suites_own_signatures_verify_over_its_strings_to_sign()
    {
        // Proves the verification above checks what AWS signs: SHA-256 of the string to sign, DER.
        var suite = SuiteCase.Load("get-vanilla", SuiteCase.V4aRoot);
        using var publicKey = PublicKey(suite);
        foreach (var prefix in Prefixes)
        {
            var stringToSign = System.Text.Encoding.UTF8.GetBytes(suite.Expected($"{prefix}-string-to-sign.txt"));
            var signature = Convert.FromHexString(suite.Expected($"{prefix}-signature.txt").Trim());
            Assert.That(publicKey.VerifyData(stringToSign, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True, prefix);
            stringToSign[^1] ^= 1;
            Assert.That(publicKey.VerifyData(stringToSign, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.False, prefix);
        }
    }

    [Test]
    public void The_derived_key_is_the_suites()
    {
        var suite = SuiteCase.Load("get-vanilla", SuiteCase.V4aRoot);
        var (x, y) = PublicPoint(suite.Directory);
        var derived = SigV4aKey.Derive(suite.Keys).Key.ExportParameters(includePrivateParameters: false);
        Assert.That(Convert.ToHexStringLower(derived.Q.X!), Is.EqualTo(x));
        Assert.That(Convert.ToHexStringLower(derived.Q.Y!), Is.EqualTo(y));
    }

    private static string File(Mode mode, Part part) =>
        $"{(mode == Mode.Header ? "header" : "query")}-{(part == Part.CanonicalRequest ? "canonical-request" : "string-to-sign")}.txt";

    // Only get-vanilla ships public-key.json; every other case signs with the same credentials, which this checks.
    private static ECDsa PublicKey(SuiteCase suite)
    {
        var vanilla = SuiteCase.Load("get-vanilla", SuiteCase.V4aRoot);
        var directory = suite.Has("public-key.json") ? suite.Directory : vanilla.Directory;
        if (directory != suite.Directory)
        {
            Assert.That(
                (suite.Keys.AccessKeyId, suite.Keys.SecretAccessKey),
                Is.EqualTo((vanilla.Keys.AccessKeyId, vanilla.Keys.SecretAccessKey)),
                "a case without public-key.json signs with get-vanilla's credentials");
        }

        var (x, y) = PublicPoint(directory);
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Convert.FromHexString(x), Y = Convert.FromHexString(y) },
        });
    }

    private static (string X, string Y) PublicPoint(string directory)
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(directory, "public-key.json")));
        return (json.RootElement.GetProperty("X").GetString()!.ToLowerInvariant(), json.RootElement.GetProperty("Y").GetString()!.ToLowerInvariant());
    }
}
