using System.Diagnostics;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.KeyPair;

/// <summary>
/// Private keys made by openssl, not by .NET, in every PEM form users paste, with openssl's own
/// export of each public key: what the other system would be given.
/// </summary>
internal sealed class OpenSslKeys : IDisposable
{
    public const string Passphrase = "open sesame";

    private readonly string directory = Directory.CreateTempSubdirectory("atomic-keypair-").FullName;

    public static IReadOnlyList<string> Forms { get; } = ["pkcs8", "traditional", "encrypted", "file"];

    public static void RequireOpenSsl() =>
        PeerProcess.RequireOrSkip(PeerProcess.FindOnPath("openssl") is null ? "openssl is not on PATH" : null);

    /// <summary>Makes the keys every JWS algorithm family needs: RSA 2048 and the three NIST curves.</summary>
    public void Generate()
    {
        Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", Path("rsa.pem"));
        Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", Path("other-rsa.pem"));
        foreach (var curve in new[] { "P-256", "P-384", "P-521" })
        {
            Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", Path(curve + ".pem"));
        }

        foreach (var name in new[] { "rsa", "P-256", "P-384", "P-521" })
        {
            Run("pkey", "-in", Path(name + ".pem"), "-traditional", "-out", Path(name + ".traditional.pem"));
            Run("pkcs8", "-topk8", "-in", Path(name + ".pem"), "-v2", "aes-256-cbc", "-passout", "pass:" + Passphrase, "-out", Path(name + ".encrypted.pem"));
            Run("pkey", "-in", Path(name + ".pem"), "-pubout", "-out", Path(name + ".pub.pem"));
        }

        Run("pkey", "-in", Path("other-rsa.pem"), "-pubout", "-out", Path("other-rsa.pub.pem"));

        // 'openssl ecparam -genkey' writes an EC PARAMETERS block before the SEC1 key.
        Run("ecparam", "-name", "prime256v1", "-genkey", "-out", Path("ecparam.pem"));
        Run("ec", "-in", Path("ecparam.pem"), "-pubout", "-out", Path("ecparam.pub.pem"));
    }

    public static string KeyName(string algorithm) => algorithm[..2] switch
    {
        "RS" or "PS" => "rsa",
        _ => algorithm[2..] switch { "256" => "P-256", "384" => "P-384", _ => "P-521" },
    };

    /// <summary>The PrivateKey value (PEM text, or a path for "file") and the Passphrase for a form.</summary>
    public (string PrivateKey, string? Passphrase) Private(string name, string form) => form switch
    {
        "pkcs8" => (File.ReadAllText(Path(name + ".pem")), null),
        "traditional" => (File.ReadAllText(Path(name + ".traditional.pem")), null),
        "encrypted" => (File.ReadAllText(Path(name + ".encrypted.pem")), Passphrase),
        "file" => (Path(name + ".pem"), null),
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    public string Public(string name) => File.ReadAllText(Path(name + ".pub.pem"));

    public string Text(string file) => File.ReadAllText(Path(file));

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Path(string file) => System.IO.Path.Combine(directory, file);

    private static void Run(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {error}");
        }
    }
}
