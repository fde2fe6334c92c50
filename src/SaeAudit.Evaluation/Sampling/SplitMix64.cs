namespace SaeAudit.Evaluation.Sampling;

/// <summary>The PRNG of SPEC §2, so every implementation picks the same rows and features.</summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        unchecked
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>SPEC §2 shuffle: for i = n-1 down to 1, j = next() mod (i+1), swap a[i], a[j].</summary>
    public static void Shuffle<T>(IList<T> items, ulong seed)
    {
        var random = new SplitMix64(seed);
        for (var i = items.Count - 1; i >= 1; i--)
        {
            var j = (int)(random.Next() % (ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>SPEC §2/§6 sampling: shuffle the ascending candidates with <paramref name="seed"/>, take the first
    /// <paramref name="count"/> (all if fewer) and sort them ascending.</summary>
    public static int[] Sample(IReadOnlyList<int> ascendingCandidates, int count, ulong seed)
    {
        var items = ascendingCandidates.ToList();
        Shuffle(items, seed);
        var taken = items.Take(Math.Min(count, items.Count)).ToArray();
        Array.Sort(taken);
        return taken;
    }
}
