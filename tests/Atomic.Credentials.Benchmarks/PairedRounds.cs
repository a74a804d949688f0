using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Atomic.Credentials.IntegrationTests.Support;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// The same benchmark methods BenchmarkDotNet runs, measured in one process in interleaved rounds:
/// each round runs every method for the same number of requests, one after the other, and each
/// method's time is divided by the baseline's time <em>of the same round</em>. This machine has
/// slow spells that last from seconds to minutes and slow everything alike (see docs/benchmarks.md);
/// BenchmarkDotNet measures one method after another, so a spell can fall on one method and not
/// on its baseline. A round takes well under a second, so both sides of each ratio share the
/// spell, and the median over many rounds leaves the rest of the noise out.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/Atomic.Credentials.Benchmarks -- --paired RequestOverheadBenchmarks --rounds 40 --requests 100000</c>;
/// <c>--baseline CryptoFloor</c> divides by that method instead of the class's baseline; <c>--only A,B</c> runs those methods alone.
/// <para>
/// For large bodies: <c>--warmup 1 --bytes 1073741824 --memory</c> adds each method's throughput (MiB/s of
/// <c>--bytes</c> a request) and its peak working-set growth over a run (the largest of all rounds,
/// sampled in the background by <see cref="PeakMemory"/>).
/// </para>
/// </remarks>
internal static class PairedRounds
{
    private const int WarmupRounds = 5;

    public static int Run(string[] args)
    {
        var className = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : nameof(RequestOverheadBenchmarks);
        var rounds = Option(args, "--rounds", 40);
        var requests = Option(args, "--requests", 100_000);
        var warmups = Option(args, "--warmup", WarmupRounds);
        var bytes = Option(args, "--bytes", 0L);
        var memory = args.Contains("--memory");
        var type = typeof(PairedRounds).Assembly.GetType($"{typeof(PairedRounds).Namespace}.{className}")
            ?? throw new ArgumentException($"No benchmark class named '{className}' in this project.", nameof(args));

        // Checked before the setup runs: a class measured another way is refused by name, not as one without a baseline.
        var benchmarks = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.IsDefined(typeof(BenchmarkAttribute))).ToList();
        var unsupported = benchmarks.Where(m => m.ReturnType == typeof(void) || m.GetParameters().Length > 0 || (m.ReturnType != typeof(Task<int>) && typeof(Task).IsAssignableFrom(m.ReturnType)))
            .Select(m => m.Name).ToList();
        if (unsupported.Count > 0)
        {
            throw new ArgumentException(
                $"--paired measures only [Benchmark] methods that take no parameters and return Task<int> or a value; {className} has others: {string.Join(", ", unsupported)}.",
                nameof(args));
        }

        var instance = Activator.CreateInstance(type)!;
        Invoke<GlobalSetupAttribute>(type, instance);
        try
        {
            // --only A,B measures those methods alone (for a profiler, say); the baseline must be one of them.
            var only = Array.IndexOf(args, "--only") is var listed and >= 0 && listed + 1 < args.Length ? args[listed + 1].Split(',') : null;
            var methods = Methods(only is null ? benchmarks : [.. benchmarks.Where(m => only.Contains(m.Name))], instance);
            // --baseline Name divides by another method than the class's own baseline (the crypto floor, say).
            var chosen = Array.IndexOf(args, "--baseline") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            var baseline = chosen is null ? methods.FindIndex(m => m.Baseline) : methods.FindIndex(m => m.Name == chosen);
            if (baseline < 0)
            {
                throw new ArgumentException(
                    chosen is null ? $"{className} has no [Benchmark(Baseline = true)] method." : $"{className} has no benchmark method named '{chosen}'.",
                    nameof(args));
            }

            Console.WriteLine(
                $"{className}: {methods.Count} methods, {warmups} warm-up rounds and {rounds} measured rounds of {requests:N0} requests each; {Environment.ProcessorCount} cores, .NET {Environment.Version}, started {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
            var nanos = methods.Select(_ => new List<double>(rounds)).ToArray();
            var peaks = new long[methods.Count];
            for (var round = -warmups; round < rounds; round++)
            {
                // Each round starts at a different method, so none always runs first or after the same one.
                var start = (round + warmups) % methods.Count;
                var times = new double[methods.Count];
                for (var step = 0; step < methods.Count; step++)
                {
                    var index = (start + step) % methods.Count;

                    // Each method's block starts on a collected heap, outside its timing: the garbage one method left
                    // (AWSSDK's signer leaves about 9.8 KB a call) is not collected on the next one's time.
                    GC.Collect();
                    if (memory && round >= 0)
                    {
                        var peak = PeakMemory.Start();
                        times[index] = Measure(methods[index].Send, requests);
                        peak.DisposeAsync().AsTask().GetAwaiter().GetResult();
                        peaks[index] = Math.Max(peaks[index], peak.WorkingSetGrowth);
                    }
                    else
                    {
                        times[index] = Measure(methods[index].Send, requests);
                    }
                }

                if (round >= 0)
                {
                    for (var index = 0; index < methods.Count; index++)
                    {
                        nanos[index].Add(times[index]);
                    }
                }
            }

            // Bytes allocated a request, on this thread, over a short pass after the rounds (outside their timing).
            var allocated = methods.Select(method => Allocated(method.Send, Math.Min(requests, 1_000))).ToArray();

            Console.WriteLine();
            Console.WriteLine("| Method | Median ns | Median ratio | Ratio, 10th-90th percentile | Rounds within 1.2x | Allocated B |"
                + (bytes > 0 ? " Median MiB/s |" : "") + (memory ? " Peak working set growth |" : ""));
            Console.WriteLine("|---|---:|---:|---|---:|---:|" + (bytes > 0 ? "---:|" : "") + (memory ? "---:|" : ""));
            for (var index = 0; index < methods.Count; index++)
            {
                var ratios = nanos[index].Select((ns, round) => ns / nanos[baseline][round]).ToList();
                var within = ratios.Count(r => r <= 1.2);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {methods[index].Name} | {Percentile(nanos[index], 0.5):F1} | {Percentile(ratios, 0.5):F3} | {Percentile(ratios, 0.1):F3}-{Percentile(ratios, 0.9):F3} | {within} of {ratios.Count} | {allocated[index]:F0} |")
                    + (bytes > 0 ? string.Create(CultureInfo.InvariantCulture, $" {bytes / 1048576.0 / (Percentile(nanos[index], 0.5) / 1e9):F0} |") : "")
                    + (memory ? string.Create(CultureInfo.InvariantCulture, $" {peaks[index] / 1048576.0:F1} MiB |") : ""));
            }

            return 0;
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    private static double Allocated(Action send, int requests)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < requests; i++)
        {
            send();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)requests;
    }

    private static double Measure(Action send, int requests)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < requests; i++)
        {
            send();
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / requests;
    }

    private static List<(string Name, bool Baseline, Action Send)> Methods(List<MethodInfo> benchmarks, object instance) =>
        [.. benchmarks.Select(method => (method.Name, method.GetCustomAttribute<BenchmarkAttribute>()!.Baseline, Call(method, instance)))];

    // A request method is waited for (every pipeline measured here completes synchronously: no wait, no
    // thread switch); any other method is called through a delegate of its own return type, nothing boxed.
    private static Action Call(MethodInfo method, object instance)
    {
        if (method.ReturnType == typeof(Task<int>))
        {
            var send = method.CreateDelegate<Func<Task<int>>>(instance);
            return () => send().GetAwaiter().GetResult();
        }

        var wrap = typeof(PairedRounds).GetMethod(nameof(Discarding), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(method.ReturnType);
        return (Action)wrap.Invoke(null, [method.CreateDelegate(typeof(Func<>).MakeGenericType(method.ReturnType), instance)])!;
    }

    private static Action Discarding<T>(Func<T> call) => () => call();

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.IsDefined(typeof(TAttribute))))
        {
            method.Invoke(instance, null);
        }
    }

    private static T Option<T>(string[] args, string name, T fallback)
        where T : System.Numerics.INumber<T>
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length
            ? T.Parse(args[at + 1], CultureInfo.InvariantCulture) is var value && value > T.Zero
                ? value
                : throw new ArgumentException($"{name} must be a positive number.", nameof(args))
            : fallback;
    }

    private static double Percentile(List<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Round(fraction * (sorted.Count - 1))];
    }
}
