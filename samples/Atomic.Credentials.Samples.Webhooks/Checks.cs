namespace Atomic.Credentials.Samples.Webhooks;

/// <summary>What the sample promises, each promise checked; the exit code says whether all held.</summary>
internal sealed class Checks
{
    private readonly List<(string What, bool Held)> results = [];

    public bool AllHeld => results.All(result => result.Held);

    public void Add(string what, bool held) => results.Add((what, held));

    public void Print()
    {
        Console.WriteLine($"Checks: {results.Count(result => result.Held)} of {results.Count} held");
        foreach (var (what, held) in results)
        {
            Console.WriteLine($"  {(held ? "ok  " : "FAIL")} {what}");
        }
    }
}
