namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// The sides a ticket's picture is drawn at. A request for any side from <see cref="QrRenderer.MinSize"/> to
/// <see cref="QrRenderer.MaxSize"/> is answered at the nearest step (the larger on a tie), so a ticket has at most
/// <see cref="Steps"/> x 2 formats pictures, each drawn once: cycling through sizes cannot make a silo draw again.
/// </summary>
public static class QrImageSizes
{
    public static readonly int[] Steps = [160, 240, 320, 512, 640, 960, 1280];

    /// <summary>Most pictures one ticket may hold: every step in every format.</summary>
    public static int MaxVariants => Steps.Length * Enum.GetValues<QrFormat>().Length;

    public static int Snap(int size)
    {
        var best = Steps[0];
        foreach (var step in Steps)
            if (Math.Abs(step - size) <= Math.Abs(best - size)) best = step;
        return best;
    }
}
