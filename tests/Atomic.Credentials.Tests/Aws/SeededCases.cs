namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// The signer's property tests: a property checked over seeded random cases, the seed printed, and
/// <c>ATOMIC_SIGV4_SEED</c> replaying it; random text made of given pieces.
/// </summary>
internal static class SeededCases
{
    public static void Check(int cases, Action<Random, int> property)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ATOMIC_SIGV4_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed} (ATOMIC_SIGV4_SEED={seed} replays it)");
        for (var i = 0; i < cases; i++)
        {
            try
            {
                property(new Random(seed + i), i);
            }
            catch (AssertionException exception)
            {
                throw new AssertionException($"seed {seed + i} (ATOMIC_SIGV4_SEED={seed + i} replays it first): {exception.Message}", exception);
            }
        }
    }

    public static string Generate(Random random, string[] pieces, int most) =>
        string.Concat(Enumerable.Range(0, random.Next(0, most + 1)).Select(_ => pieces[random.Next(pieces.Length)]));
}
