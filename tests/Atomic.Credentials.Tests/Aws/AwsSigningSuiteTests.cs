using Atomic.Credentials.Aws;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// The official AWS SigV4 test suite (aws-c-auth's aws-signing-test-suite/v4, copied with its
/// LICENSE and NOTICE into TestData): every case, in header and in query (presigned) mode, with the
/// canonical request, the string to sign and the signature each compared: 38 × 2 × 3 = 228 tests.
/// </summary>
public sealed class AwsSigningSuiteTests
{
    public enum Mode
    {
        Header,
        Query,
    }

    public enum Part
    {
        CanonicalRequest,
        StringToSign,
        Signature,
    }

    public static IEnumerable<TestCaseData> Checks() =>
        from name in SuiteCase.Names()
        from mode in new[] { Mode.Header, Mode.Query }
        from part in new[] { Part.CanonicalRequest, Part.StringToSign, Part.Signature }
        select new TestCaseData(name, mode, part).SetName($"{name} {mode} {part}");

    [Test]
    public void The_whole_v4_suite_is_present()
    {
        Assert.That(SuiteCase.Names().Count(), Is.EqualTo(38), $"cases under {SuiteCase.Root}");
        Assert.That(Checks().Count(), Is.EqualTo(228));
        Assert.That(File.Exists(Path.Combine(SuiteCase.Root, "..", "LICENSE")) && File.Exists(Path.Combine(SuiteCase.Root, "..", "NOTICE")), Is.True);
    }

    [TestCaseSource(nameof(Checks))]
    public void Matches_the_suite(string name, Mode mode, Part part)
    {
        var suite = SuiteCase.Load(name);
        var trace = new SigV4Trace();
        var signature = suite.Sign(new SigV4Signer(suite.Region, suite.Service), mode == Mode.Query, trace);

        var prefix = mode == Mode.Header ? "header" : "query";
        switch (part)
        {
            case Part.CanonicalRequest:
                Assert.That(trace.CanonicalRequest, Is.EqualTo(suite.Expected($"{prefix}-canonical-request.txt")));
                break;
            case Part.StringToSign:
                Assert.That(trace.StringToSign, Is.EqualTo(suite.Expected($"{prefix}-string-to-sign.txt")));
                break;
            default:
                Assert.That(signature, Is.EqualTo(suite.Expected($"{prefix}-signature.txt")));
                break;
        }
    }
}
