using System.Text;

namespace Atomic.Credentials.Samples.Webhooks;

/// <summary>Writes to the console and keeps a copy, so the sample can show that nothing it printed holds a secret.</summary>
internal sealed class ConsoleRecorder : TextWriter
{
    private readonly TextWriter console;
    private readonly StringBuilder copy = new();
    private readonly Lock gate = new();

    private ConsoleRecorder(TextWriter console) => this.console = console;

    public override Encoding Encoding => console.Encoding;

    public static ConsoleRecorder Start()
    {
        var recorder = new ConsoleRecorder(Console.Out);
        Console.SetOut(recorder);
        return recorder;
    }

    public string Printed()
    {
        lock (gate)
        {
            return copy.ToString();
        }
    }

    public override void Write(char value)
    {
        lock (gate)
        {
            copy.Append(value);
            console.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (gate)
        {
            copy.Append(value);
            console.Write(value);
        }
    }

    public override void Flush() => console.Flush();
}
