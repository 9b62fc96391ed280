using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using QRCoder;
using ScanLogin.Grains.QrCodes;
using SkiaSharp;

namespace ScanLogin.Benchmarks;

/// <summary>
/// QR images per second and bytes allocated per image, single-threaded (= per core). Two references run in the
/// same process: a naive renderer (one Skia rectangle per module, PNG at default settings) and QRCoder's own PNG writer.
/// "Allocated" is managed memory only (BenchmarkDotNet's MemoryDiagnoser): Skia's native pixel buffers and zlib's
/// native state are not counted, nor are rented ArrayPool buffers returned within the call.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessWithErrors))]
public class QrRenderingBenchmarks
{
    /// <summary>
    /// In process (the project's assembly name differs from its file name, which BenchmarkDotNet's generated project
    /// cannot follow), with enough iterations for a 99.9% confidence interval (Error) and StdDev per row, and the
    /// spread of each ratio, so the differences between rows can be seen to be more than noise.
    /// </summary>
    private sealed class InProcessWithErrors : ManualConfig
    {
        public InProcessWithErrors()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(5).WithIterationCount(20));
            AddColumn(StatisticColumn.Error, StatisticColumn.StdDev, BaselineRatioColumn.RatioStdDev);
        }
    }

    private const int Size = 240;
    private LogoArtwork _logo = null!;
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        using var bitmap = new SKBitmap(200, 200);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(7, 193, 96));
            using var paint = new SKPaint { Color = SKColors.DeepPink, IsAntialias = true };
            canvas.DrawCircle(100, 100, 80, paint);
        }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        _logo = LogoArtwork.Decode(png.Span)!;
        _logo.PlateOf(100); // the plate is made once per logo and size, not per image
        QrRenderer.RenderPng(Payload(), Size, _logo);
    }

    // A new ticket id each call: every image is a different code, as in production.
    private string Payload() => $"https://mp.scanlogin.example/s/{++_counter:D22}";

    [Benchmark(Baseline = true, Description = "naive: Skia rect per module + default PNG")]
    public byte[] Naive()
    {
        var modules = QRCodeGenerator.GenerateQrCode(Payload(), QRCodeGenerator.ECCLevel.H).ModuleMatrix;
        var scale = Size / modules.Count;
        using var bitmap = new SKBitmap(Size, Size);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var black = new SKPaint { Color = SKColors.Black };
        for (var y = 0; y < modules.Count; y++)
            for (var x = 0; x < modules.Count; x++)
                if (modules[y][x]) canvas.DrawRect(x * scale, y * scale, scale, scale, black);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Benchmark(Description = "QRCoder PngByteQRCode, no logo")]
    public byte[] QrCoderPng()
    {
        var data = QRCodeGenerator.GenerateQrCode(Payload(), QRCodeGenerator.ECCLevel.H);
        return new PngByteQRCode(data).GetGraphic(Size / data.ModuleMatrix.Count);
    }

    [Benchmark(Description = "ScanLogin PNG, no logo")]
    public byte[] PngPlain() => QrRenderer.RenderPng(Payload(), Size, null);

    [Benchmark(Description = "ScanLogin PNG, with logo")]
    public byte[] PngWithLogo() => QrRenderer.RenderPng(Payload(), Size, _logo);

    [Benchmark(Description = "ScanLogin SVG, no logo")]
    public string SvgPlain() => QrRenderer.RenderSvg(Payload(), Size, null);

    [Benchmark(Description = "ScanLogin SVG, with logo")]
    public string SvgWithLogo() => QrRenderer.RenderSvg(Payload(), Size, _logo);
}
