namespace Atomic.Credentials.Samples.Webhooks;

/// <summary>The delivery table: one row a delivery, and a line where something happened between two.</summary>
internal sealed class DeliveryTable
{
    private static readonly string[] Header = ["#", "credential", "kind", "status", "the receiver verified"];
    private readonly List<string[]> rows = [];

    public void Add(int number, string credential, string kind, string status, string verified) =>
        rows.Add([number.ToString(System.Globalization.CultureInfo.InvariantCulture), credential, kind, status, verified]);

    public void Note(string text) => rows.Add([text]);

    public void Print()
    {
        var widths = Enumerable.Range(0, Header.Length - 1)
            .Select(column => rows.Where(row => row.Length > 1).Select(row => row[column].Length).Append(Header[column].Length).Max())
            .ToArray();
        string Line(string[] cells) =>
            string.Join("  ", cells.Take(widths.Length).Select((cell, column) => column == 0 ? cell.PadLeft(widths[column]) : cell.PadRight(widths[column])))
            + "  " + cells[^1];
        Console.WriteLine(Line(Header));
        foreach (var row in rows)
        {
            Console.WriteLine(row.Length == 1 ? $"{new string(' ', widths[0])}  -- {row[0]}" : Line(row));
        }
    }
}
