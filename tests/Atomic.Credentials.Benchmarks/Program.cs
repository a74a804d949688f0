using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Atomic.Credentials.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Atomic.Credentials.Benchmarks.NoOpHandler).Assembly).Run(args);
