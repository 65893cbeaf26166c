using ScottPlot;

namespace ConnBurst.Reporting.Charts;

/// <summary>A named chart ready to render: <see cref="Id"/> becomes the PNG file name, <see cref="Title"/> the caption.</summary>
internal sealed record Chart(string Id, string Title, Plot Plot)
{
    public const int Width = 900;
    public const int Height = 420;

    public byte[] Png() => Plot.GetImageBytes(Width, Height, ImageFormat.Png);

    public string SavePng(string directory, string prefix)
    {
        var path = System.IO.Path.Combine(directory, $"{prefix}-{Id}.png");
        Plot.SavePng(path, Width, Height);
        return path;
    }
}
