using Atomic.Credentials.Integrations;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.Tests.Integrations;

/// <summary>How a stream of unknown length is cut into parts, and what memory it takes.</summary>
[NonParallelizable]
public sealed class S3BufferedPartsTests
{
    private const long Part = 5L << 20;

    [TestCase(0L, new long[] { 0 })]
    [TestCase(Part - 1, new long[] { Part - 1 })]
    [TestCase(Part, new long[] { Part })]
    [TestCase(Part + 1, new long[] { Part, 1 })]
    [TestCase((2 * Part) + (3L << 20), new long[] { Part, Part, 3L << 20 })]
    public async Task A_stream_is_cut_into_full_parts_and_a_last_shorter_one_with_every_byte_in_order(long size, long[] expected)
    {
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        using var parts = new S3BufferedParts(new GeneratedStream(size, seed), Part);
        var whole = new MemoryStream();
        var sizes = new List<long>();

        var multipart = await parts.ReadFirstAsync(CancellationToken.None);
        while (await parts.NextAsync(CancellationToken.None) is { } content)
        {
            using (content)
            {
                var bytes = await content.ReadAsByteArrayAsync();
                sizes.Add(bytes.Length);
                whole.Write(bytes);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(multipart, Is.EqualTo(expected.Length > 1));
            Assert.That(sizes, Is.EqualTo(expected));
            Assert.That(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(whole.ToArray())), Is.EqualTo(GeneratedStream.Sha256(size, seed)));
        });
    }

    [Test]
    public async Task A_small_body_does_not_take_a_whole_part_of_memory()
    {
        const long defaultPart = 64L << 20;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        using (var parts = new S3BufferedParts(new GeneratedStream(10), defaultPart))
        {
            Assert.That(await parts.ReadFirstAsync(CancellationToken.None), Is.False);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"10 bytes with 64 MiB parts: {allocated / 1024} KiB allocated");
        Assert.That(allocated, Is.LessThan(4L << 20));
    }
}
