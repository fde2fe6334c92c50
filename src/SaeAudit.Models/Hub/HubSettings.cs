namespace SaeAudit.Models.Hub;

/// <summary>How <see cref="HubResolver"/> reaches the Hugging Face hub and where it caches files. Built from the
/// environment variables huggingface_hub reads (<see cref="FromEnvironment"/>), or spelled out (tests), so the
/// same cache is shared with Python tools.</summary>
/// <param name="Endpoint">The hub's base URL, without a trailing slash (<c>HF_ENDPOINT</c>; default https://huggingface.co).</param>
/// <param name="Token">Sent as <c>Authorization: Bearer</c> to the endpoint's host, never to a CDN it redirects to.</param>
/// <param name="CacheDirectory">The hub cache root, holding <c>models--&lt;org&gt;--&lt;name&gt;</c> folders.</param>
/// <param name="Offline">Never touch the network: everything must already be in the cache (<c>HF_HUB_OFFLINE</c>).</param>
/// <param name="Timeout">How long a request may wait for the server: for the response headers and between two reads
/// of a download (<c>HF_HUB_DOWNLOAD_TIMEOUT</c>, seconds; default 10).</param>
public sealed record HubSettings(string Endpoint, string? Token, string CacheDirectory, bool Offline, TimeSpan Timeout)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The settings huggingface_hub would use: endpoint <c>HF_ENDPOINT</c>; token <c>HF_TOKEN</c>, else the
    /// legacy <c>HUGGING_FACE_HUB_TOKEN</c>, else the file <c>HF_TOKEN_PATH</c> (default <c>$HF_HOME/token</c>, written by
    /// <c>hf auth login</c>); cache <c>HF_HUB_CACHE</c>, else <c>HUGGINGFACE_HUB_CACHE</c>, else <c>$HF_HOME/hub</c>
    /// (<c>HF_HOME</c> defaults to <c>$XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>); offline when
    /// <c>HF_HUB_OFFLINE</c> (or <c>TRANSFORMERS_OFFLINE</c>) is 1, ON, YES or TRUE.</summary>
    /// <param name="variable">Reads one variable; defaults to the process environment.</param>
    public static HubSettings FromEnvironment(Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => variable(name) is { Length: > 0 } value ? value : null;

        var home = ExpandHome(Get("HF_HOME")
            ?? Path.Combine(Get("XDG_CACHE_HOME") ?? Path.Combine(UserHome(), ".cache"), "huggingface"));
        var cache = ExpandHome(Get("HF_HUB_CACHE") ?? Get("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(home, "hub"));
        var token = Get("HF_TOKEN") ?? Get("HUGGING_FACE_HUB_TOKEN")
            ?? ReadTokenFile(ExpandHome(Get("HF_TOKEN_PATH") ?? Path.Combine(home, "token")));
        var timeout = double.TryParse(Get("HF_HUB_DOWNLOAD_TIMEOUT"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultTimeout;
        return new HubSettings(
            (Get("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/'),
            token,
            Path.GetFullPath(cache),
            IsTrue(Get("HF_HUB_OFFLINE") ?? Get("TRANSFORMERS_OFFLINE")),
            timeout);
    }

    /// <summary>huggingface_hub's <c>_is_true</c>.</summary>
    private static bool IsTrue(string? value) =>
        value is not null && value.ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    private static string? ReadTokenFile(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;

    private static string UserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) ? UserHome() + path[1..] : path;
}
