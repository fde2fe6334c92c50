namespace SaeAudit.Models.Checkpoints;

/// <summary>Element types a safetensors header may name (the spelling in the file is the member name,
/// except <see cref="Bool"/> = "BOOL"). F8 and unsigned types are recognised so that such files still open
/// and validate, but they cannot be loaded as float32 or integers.</summary>
public enum SafetensorsDType
{
    Bool,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

/// <summary>Names and sizes of <see cref="SafetensorsDType"/>.</summary>
public static class SafetensorsDTypes
{
    private static readonly Dictionary<string, SafetensorsDType> ByName =
        Enum.GetValues<SafetensorsDType>().ToDictionary(Name, t => t, StringComparer.Ordinal);

    /// <summary>The dtype names accepted in a header, for error messages.</summary>
    public static string SupportedList { get; } = string.Join(", ", ByName.Keys);

    /// <summary>The header spelling ("F32", "BF16", "BOOL", ...).</summary>
    public static string Name(this SafetensorsDType dtype) =>
        dtype == SafetensorsDType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>Bytes per element.</summary>
    public static int Size(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.Bool or SafetensorsDType.U8 or SafetensorsDType.I8
            or SafetensorsDType.F8_E5M2 or SafetensorsDType.F8_E4M3 => 1,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 2,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 4,
        SafetensorsDType.F64 or SafetensorsDType.I64 or SafetensorsDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>True for the dtypes <c>LoadFloat32</c> accepts (F32, F16, BF16 widen exactly; F64 rounds).</summary>
    public static bool IsFloat(this SafetensorsDType dtype) =>
        dtype is SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F64;

    /// <summary>True for the integer dtypes <c>LoadInt32</c>/<c>LoadInt64</c> accept.</summary>
    public static bool IsInteger(this SafetensorsDType dtype) =>
        dtype is SafetensorsDType.U8 or SafetensorsDType.I8 or SafetensorsDType.I16 or SafetensorsDType.U16
            or SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.I64 or SafetensorsDType.U64;

    public static bool TryParse(string name, out SafetensorsDType dtype) => ByName.TryGetValue(name, out dtype);
}
