namespace Atomic.Credentials.Internal;

internal static class HeaderNames
{
    public const string Authorization = "Authorization";
}
