using Atomic.Credentials.Caching;
using Atomic.Credentials.Store;
using Atomic.Credentials.Tests.Support;
using Microsoft.AspNetCore.DataProtection;

namespace Atomic.Credentials.Tests.Store;

/// <summary>A store over a storage, with Data Protection (ephemeral keys) and every log line recorded.</summary>
internal sealed class StoreHarness : IDisposable
{
    public StoreHarness(ICredentialStorage? storage = null, IDataProtectionProvider? keys = null)
    {
        Storage = storage ?? new InMemoryCredentialStorage();
        Keys = keys ?? new EphemeralDataProtectionProvider();
        Telemetry = new TelemetryRecorder();
        Loggers = Telemetry.LoggerFactory();
        Store = new CredentialStore(Storage, new DataProtectionCredentialProtector(Keys), Loggers);
    }

    public ICredentialStorage Storage { get; }

    public IDataProtectionProvider Keys { get; }

    public TelemetryRecorder Telemetry { get; }

    public Microsoft.Extensions.Logging.ILoggerFactory Loggers { get; }

    public CredentialStore Store { get; }

    /// <summary>The same storage read through other keys: nothing saved here opens there.</summary>
    public CredentialStore WithOtherKeys() =>
        new(Storage, new DataProtectionCredentialProtector(new EphemeralDataProtectionProvider()), Loggers);

    public void Dispose()
    {
        Loggers.Dispose();
        Telemetry.Dispose();
        (Storage as IDisposable)?.Dispose();
    }
}
