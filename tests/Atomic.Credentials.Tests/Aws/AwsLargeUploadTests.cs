using System.Diagnostics;
using System.Security.Cryptography;
using Atomic.Credentials.Tests.Support;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

[NonParallelizable]
public sealed class AwsLargeUploadTests
{
    private const long OneGiB = 1L << 30;
    private const long Flat = 16L << 20;

    [Test]
    public async Task A_1_GiB_seekable_upload_is_signed_with_flat_memory()
    {
        // A sparse file: 1 GiB to read and hash, nothing to write.
        var path = Path.Combine(Path.GetTempPath(), $"atomic-sparse-{Guid.NewGuid():N}.bin");
        await using (var create = File.Create(path))
        {
            create.SetLength(OneGiB);
        }

        try
        {
            var capture = new Capture();
            using var client = capture.Client(new AwsSignatureHandler(Options("s3")));
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            using var request = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/big.bin") { Content = new StreamContent(file) };
            using var process = Process.GetCurrentProcess();
            GC.Collect();
            process.Refresh();
            var peakBefore = process.PeakWorkingSet64;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

            await client.SendAsync(request);

            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            process.Refresh();
            var peakGrowth = process.PeakWorkingSet64 - peakBefore;
            TestContext.Out.WriteLine($"allocated {allocated / 1024} KiB, peak working set grew {peakGrowth / 1024} KiB");
            Assert.Multiple(() =>
            {
                Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo(ZerosHash()));
                Assert.That(file.Position, Is.Zero, "rewound for sending");
                Assert.That(allocated, Is.LessThan(Flat));
                Assert.That(peakGrowth, Is.LessThan(Flat));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string ZerosHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[1 << 20];
        for (var i = 0; i < 1024; i++)
        {
            hash.AppendData(block);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
