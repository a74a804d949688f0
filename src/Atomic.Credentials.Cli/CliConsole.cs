namespace Atomic.Credentials.Cli;

/// <summary>Where a run reads and writes: the process's console, or a test's writers.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, bool InputRedirected)
{
    public static CliConsole System => new(Console.Out, Console.Error, Console.In, Console.IsInputRedirected);

    /// <summary>Reads a secret: a line of standard input when it is redirected, else typed at a prompt without echo.</summary>
    public string ReadSecret(string prompt)
    {
        if (InputRedirected)
        {
            return In.ReadLine() ?? throw new UsageException($"standard input ended before the value of {prompt}");
        }

        Error.Write($"{prompt}: ");
        var value = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (value.Length > 0)
                {
                    value.Length--;
                }

                continue;
            }

            value.Append(key.KeyChar);
        }

        Error.WriteLine();
        return value.ToString();
    }
}

/// <summary>The command line is wrong: exit code <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
