using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atomic.Credentials.Internal;

internal static class CredentialLoggers
{
    /// <summary>
    /// The logger a handler writes to, under <typeparamref name="T"/>'s full name (the category
    /// <c>ILogger&lt;T&gt;</c> would have), without the <c>Logger&lt;T&gt;</c> wrapper: one call fewer
    /// on every per-request check, and <see cref="NullLogger"/> itself when nothing is listening.
    /// </summary>
    public static ILogger Create<T>(ILoggerFactory? loggerFactory) =>
        (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(T).FullName!);
}
