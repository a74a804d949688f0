namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>The memory sampler sees what is held, so a flat-memory assertion built on it can fail.</summary>
[NonParallelizable]
public sealed class PeakMemoryTests
{
    [Test]
    public async Task A_buffer_held_for_a_while_shows_as_growth_and_idling_does_not()
    {
        PeakMemory idle;
        await using (idle = PeakMemory.Start())
        {
            await Task.Delay(200);
        }

        PeakMemory holding;
        await using (holding = PeakMemory.Start())
        {
            var held = GC.AllocateUninitializedArray<byte>(64 << 20);
            Array.Fill(held, (byte)1); // touched, so its pages are resident
            await Task.Delay(200);
            GC.KeepAlive(held);
        }

        TestContext.Out.WriteLine($"idle: {idle}; holding 64 MiB: {holding}");
        Assert.Multiple(() =>
        {
            Assert.That(idle.WorkingSetGrowth, Is.LessThan(16L << 20), "the sampler alone stays under the bound the tests assert");
            Assert.That(holding.WorkingSetGrowth, Is.GreaterThan(60L << 20));
            Assert.That(holding.HeapGrowth, Is.GreaterThan(60L << 20));
        });
    }
}
