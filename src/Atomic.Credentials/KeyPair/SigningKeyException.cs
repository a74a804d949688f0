namespace Atomic.Credentials.KeyPair;

/// <summary>
/// A signing key could not be loaded or does not fit its algorithm. <see cref="Field"/> names the
/// option at fault and <see cref="Problem"/> says what is wrong with it; neither ever holds key material.
/// </summary>
internal sealed class SigningKeyException : Exception
{
    public SigningKeyException(string field, string problem, Exception? innerException = null)
        : base($"{field} {problem}.", innerException)
    {
        Field = field;
        Problem = problem;
    }

    public string Field { get; }

    public string Problem { get; }
}
