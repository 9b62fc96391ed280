using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// Writes 8-bit palette PNGs. QR images are runs of identical rows, so a row equal to the one above is written
/// with the "Up" filter (all zeros) and the whole image deflates in a fraction of what a generic encoder spends.
/// </summary>
public static class IndexedPngWriter
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="pixels">Row-major palette indices, <paramref name="width"/> × <paramref name="height"/>.</param>
    /// <param name="palette">RGB triples, at most 256.</param>
    public static byte[] Write(ReadOnlySpan<byte> pixels, int width, int height, ReadOnlySpan<byte> palette)
    {
        var stride = width + 1;
        var raw = ArrayPool<byte>.Shared.Rent(stride * height);
        try
        {
            for (var y = 0; y < height; y++)
            {
                var row = pixels.Slice(y * width, width);
                var target = raw.AsSpan(y * stride, stride);
                if (y > 0 && row.SequenceEqual(pixels.Slice((y - 1) * width, width)))
                {
                    target[0] = 2; // Up: identical to the row above, every byte filters to zero
                    target[1..].Clear();
                }
                else
                {
                    target[0] = 0; // None
                    row.CopyTo(target[1..]);
                }
            }

            using var png = new MemoryStream(4096);
            png.Write(Signature);
            Span<byte> header = stackalloc byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, width);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
            header[8] = 8; // bit depth
            header[9] = 3; // colour type: palette
            WriteChunk(png, "IHDR"u8, header);
            WriteChunk(png, "PLTE"u8, palette);
            using (var deflated = new MemoryStream(4096))
            {
                using (var zlib = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
                    zlib.Write(raw, 0, stride * height);
                WriteChunk(png, "IDAT"u8, deflated.GetBuffer().AsSpan(0, (int)deflated.Length));
            }
            WriteChunk(png, "IEND"u8, []);
            return png.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(type);
        png.Write(data);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        png.Write(word);
    }
}
