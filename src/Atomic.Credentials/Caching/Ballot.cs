namespace Atomic.Credentials.Caching;

/// <summary>
/// An instance's part in an election: <see cref="Holder"/> when it holds the lease (it fetches and
/// then releases), <see cref="Waits"/> when another instance does, neither when it fetches on its own.
/// </summary>
internal readonly record struct Ballot(string? Holder, bool Waits)
{
    public static Ballot Alone => default;

    public static Ballot Elsewhere => new(null, Waits: true);

    public bool Elected => Holder is not null;
}
