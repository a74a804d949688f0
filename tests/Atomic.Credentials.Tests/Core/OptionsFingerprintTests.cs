using System.Text.Json;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Tests.Core;

/// <summary>Two options instances define the same credential exactly when every public field is equal.</summary>
public sealed class OptionsFingerprintTests
{
    private static KeyPairOptions KeyPair(string secret, object claim) => new()
    {
        PrivateKey = secret,
        Issuer = "atomic",
        AllowedHosts = ["api.example.com"],
        Claims = { ["tenant"] = "t1", ["level"] = 3L, ["admin"] = false, ["scopes"] = new List<object> { "a", "b" }, ["extra"] = claim },
    };

    [Test]
    public void Equal_definitions_have_one_fingerprint_whatever_the_instances()
    {
        var first = OptionsFingerprint.Of(KeyPair("pem-1", JsonDocument.Parse("""{"x":[1,2]}""").RootElement.Clone()));
        var second = OptionsFingerprint.Of(KeyPair("pem-1", JsonDocument.Parse("""{"x":[1,2]}""").RootElement.Clone()));

        Assert.That(OptionsFingerprint.Same(first, second), Is.True);
    }

    [TestCase("pem-2", """{"x":[1,2]}""")]
    [TestCase("pem-1", """{"x":[1,3]}""")]
    public void A_changed_secret_or_claim_is_another_definition(string secret, string claim)
    {
        var first = OptionsFingerprint.Of(KeyPair("pem-1", JsonDocument.Parse("""{"x":[1,2]}""").RootElement.Clone()));
        var other = OptionsFingerprint.Of(KeyPair(secret, JsonDocument.Parse(claim).RootElement.Clone()));

        Assert.That(OptionsFingerprint.Same(first, other), Is.False);
    }

    [Test]
    public void Values_that_render_alike_are_still_told_apart()
    {
        // A length prefix keeps "ab" + "c" apart from "a" + "bc"; a list is not its joined text.
        var left = new BasicAuthOptions { Username = "ab", Password = "c" };
        var right = new BasicAuthOptions { Username = "a", Password = "bc" };
        var hosts = new BasicAuthOptions { Username = "u", Password = "p", AllowedHosts = ["a", "b"] };
        var joined = new BasicAuthOptions { Username = "u", Password = "p", AllowedHosts = ["ab"] };

        Assert.Multiple(() =>
        {
            Assert.That(OptionsFingerprint.Same(OptionsFingerprint.Of(left), OptionsFingerprint.Of(right)), Is.False);
            Assert.That(OptionsFingerprint.Same(OptionsFingerprint.Of(hosts), OptionsFingerprint.Of(joined)), Is.False);
        });
    }
}
