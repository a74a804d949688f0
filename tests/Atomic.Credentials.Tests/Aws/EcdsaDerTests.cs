using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using Atomic.Credentials.Aws;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// SigV4a's DER signatures written by <see cref="EcdsaDer"/>: byte for byte what System.Formats.Asn1's
/// DER writer makes of the same r and s (values at every edge of the encoding, and random ones, seed
/// printed), and signatures that the BCL verifies in its own DER form.
/// </summary>
public sealed class EcdsaDerTests
{
    private static IEnumerable<byte[]> EdgeValues()
    {
        yield return new byte[32];
        yield return [.. new byte[31], 1];
        yield return [.. new byte[31], 0x80];
        yield return [0x7f, .. Enumerable.Repeat((byte)0xff, 31)];
        yield return [0x80, .. new byte[31]];
        yield return Enumerable.Repeat((byte)0xff, 32).ToArray();
        yield return [0, 0x80, .. new byte[30]];
        yield return [0, 0x7f, .. Enumerable.Repeat((byte)0xff, 30)];
        yield return [0, 0, 0, 1, .. new byte[28]];
    }

    [Test]
    public void Every_edge_of_the_integer_encoding_is_what_an_asn1_der_writer_writes()
    {
        foreach (var r in EdgeValues())
        {
            foreach (var s in EdgeValues())
            {
                Assert.That(Ours(r, s), Is.EqualTo(Reference(r, s)), $"r {Convert.ToHexString(r)}, s {Convert.ToHexString(s)}");
            }
        }
    }

    [Test]
    public void Random_values_with_leading_zero_bytes_are_what_an_asn1_der_writer_writes()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var i = 0; i < 2000; i++)
        {
            var r = Value(random);
            var s = Value(random);
            Assert.That(Ours(r, s), Is.EqualTo(Reference(r, s)), $"seed {seed}, case {i}: r {Convert.ToHexString(r)}, s {Convert.ToHexString(s)}");
        }
    }

    [Test]
    public void Signatures_verify_in_the_bcls_own_der_form()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var data = new byte[100];
        var signature = new byte[EcdsaDer.MaxLength];
        var lengths = new HashSet<int>();
        for (var i = 0; i < 300; i++)
        {
            RandomNumberGenerator.Fill(data);
            var length = EcdsaDer.Sign(key, data, signature);
            lengths.Add(length);
            Assert.That(key.VerifyData(data, signature.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True, $"signature {i}");
        }

        Assert.That(lengths, Is.SupersetOf(new[] { 70, 71, 72 }), "the usual lengths all came up");
    }

    // Values whose first bytes are often zero or cross 0x80, where the encoding changes length.
    private static byte[] Value(Random random)
    {
        var value = new byte[32];
        random.NextBytes(value);
        var zeros = random.Next(4) == 0 ? random.Next(0, 33) : 0;
        value.AsSpan(0, zeros).Clear();
        return value;
    }

    private static byte[] Ours(byte[] r, byte[] s)
    {
        var destination = new byte[EcdsaDer.MaxLength];
        return destination[..EcdsaDer.Encode(r, s, destination)];
    }

    private static byte[] Reference(byte[] r, byte[] s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(r, isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new BigInteger(s, isUnsigned: true, isBigEndian: true));
        }

        return writer.Encode();
    }
}
