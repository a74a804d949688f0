using System.Diagnostics;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// The largest growth of this process's working set over a stretch of work, sampled every few
/// milliseconds in the background from a baseline taken at the start.
/// </summary>
/// <remarks>
/// Why these measures: <c>GC.GetTotalAllocatedBytes</c> counts every allocation, garbage included,
/// so it bounds what was held from above but is not a peak. <c>Process.PeakWorkingSet64</c> is a
/// high-water mark since the process started: an earlier, larger test hides this one's growth
/// (it would read zero). The working set counts what the GC heap does not (native buffers, the
/// socket layer), so the growth of the current working set over its own baseline, sampled, is the
/// process's memory as the machine sees it; the managed heap (<c>GC.GetTotalMemory</c>, garbage not
/// yet collected included) is sampled beside it to say where growth came from. Sampling can miss a
/// spike shorter than its period; a buffer the size of the body would be held for the whole upload.
/// The sampler must not allocate itself: <c>Process.Refresh</c> + <c>WorkingSet64</c> parses procfs
/// into strings (about 20 KiB a sample, measured), garbage that would grow the heap it measures; on
/// Linux the resident size is read from <c>/proc/self/statm</c> into one reused buffer instead.
/// </remarks>
internal sealed class PeakMemory : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? statm = File.Exists("/proc/self/statm") ? File.OpenHandle("/proc/self/statm") : null;
    private readonly byte[] statmText = new byte[256];
    private readonly Task sampling;
    private readonly long workingSetBefore;
    private readonly long heapBefore;
    private long workingSetPeak;
    private long heapPeak;

    private PeakMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        workingSetBefore = workingSetPeak = WorkingSet();
        heapBefore = heapPeak = GC.GetTotalMemory(forceFullCollection: false);
        sampling = Task.Run(SampleAsync);
    }

    /// <summary>How far the working set rose above its baseline.</summary>
    public long WorkingSetGrowth => Interlocked.Read(ref workingSetPeak) - workingSetBefore;

    /// <summary>How far the managed heap rose above its baseline.</summary>
    public long HeapGrowth => Interlocked.Read(ref heapPeak) - heapBefore;

    public static PeakMemory Start() => new();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await sampling;
        stop.Dispose();
        statm?.Dispose();
    }

    public override string ToString() =>
        $"peak working set +{WorkingSetGrowth / 1048576.0:0.0} MiB, peak managed heap +{HeapGrowth / 1048576.0:0.0} MiB";

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        do
        {
            Raise(ref workingSetPeak, WorkingSet());
            Raise(ref heapPeak, GC.GetTotalMemory(forceFullCollection: false));
        }
        while (await Ticked(timer));
    }

    private async Task<bool> Ticked(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // The resident set: statm's second field, in pages.
    private long WorkingSet()
    {
        if (statm is null)
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }

        var length = RandomAccess.Read(statm, statmText, 0);
        var fields = statmText.AsSpan(0, length);
        fields = fields[(fields.IndexOf((byte)' ') + 1)..];
        long pages = 0;
        foreach (var digit in fields[..fields.IndexOf((byte)' ')])
        {
            pages = (pages * 10) + (digit - '0');
        }

        return pages * Environment.SystemPageSize;
    }

    private static void Raise(ref long peak, long sample)
    {
        long seen;
        while (sample > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, sample, seen) != seen)
        {
        }
    }
}
