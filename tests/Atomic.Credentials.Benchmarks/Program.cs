using Atomic.Credentials.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Atomic.Credentials.Benchmarks -- --filter '*' --job short
// dotnet run -c Release --project tests/Atomic.Credentials.Benchmarks -- --paired RequestOverheadBenchmarks  (see PairedRounds)
if (args.Length > 0 && args[0] == "--paired")
{
    return PairedRounds.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(NoOpHandler).Assembly).Run(args);
return 0;
