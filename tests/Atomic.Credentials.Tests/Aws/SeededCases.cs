namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// The signer's property tests: a property checked over seeded random cases, the seed printed, and
/// <c>ATOMIC_SIGV4_SEED</c> replaying the run (<c>ATOMIC_SIGV4_CASE</c> one case); random text made of given pieces.
/// </summary>
internal static class SeededCases
{
    public static void Check(int cases, Action<Random, int> property)
    {
        // Each case's own seed is drawn from the run's: consecutive seeds would give System.Random correlated
        // first draws, and the cases would explore less than they seem to.
        if (int.TryParse(Environment.GetEnvironmentVariable("ATOMIC_SIGV4_CASE"), out var only))
        {
            TestContext.Out.WriteLine($"case seed {only} alone (ATOMIC_SIGV4_CASE)");
            property(new Random(only), 0);
            return;
        }

        var seed = int.TryParse(Environment.GetEnvironmentVariable("ATOMIC_SIGV4_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed} (ATOMIC_SIGV4_SEED={seed} replays the run)");
        var seeds = new Random(seed);
        for (var i = 0; i < cases; i++)
        {
            var caseSeed = seeds.Next();
            try
            {
                property(new Random(caseSeed), i);
            }
            catch (AssertionException exception)
            {
                throw new AssertionException(
                    $"run seed {seed}, case {i} (ATOMIC_SIGV4_CASE={caseSeed} replays it alone): {exception.Message}", exception);
            }
        }
    }

    public static string Generate(Random random, string[] pieces, int most) =>
        string.Concat(Enumerable.Range(0, random.Next(0, most + 1)).Select(_ => pieces[random.Next(pieces.Length)]));
}
