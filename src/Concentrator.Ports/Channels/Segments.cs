namespace Concentrator.Ports.Channels;

/// <summary>Helpers for the segment lists a session hands its channel.</summary>
internal static class Segments
{
    /// <summary>Drops the first <paramref name="count"/> bytes of a segment list (they were sent).</summary>
    public static void Skip(IList<ArraySegment<byte>> segments, int count)
    {
        while (count > 0 && segments.Count > 0)
        {
            if (count >= segments[0].Count)
            {
                count -= segments[0].Count;
                segments.RemoveAt(0);
            }
            else
            {
                segments[0] = segments[0][count..];
                count = 0;
            }
        }
    }

    public static int Length(IList<ArraySegment<byte>> segments)
    {
        var total = 0;
        foreach (var segment in segments)
        {
            total += segment.Count;
        }

        return total;
    }

    /// <summary>Copies the segments into one array: a stream channel writes one TLS record run instead of one per chunk.</summary>
    public static byte[] Concat(IList<ArraySegment<byte>> segments)
    {
        var all = new byte[Length(segments)];
        var at = 0;
        foreach (var segment in segments)
        {
            segment.AsSpan().CopyTo(all.AsSpan(at));
            at += segment.Count;
        }

        return all;
    }
}
