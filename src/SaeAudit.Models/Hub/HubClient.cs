using System.Net;
using System.Net.Http.Headers;

namespace SaeAudit.Models.Hub;

/// <summary>What a HEAD on <c>/resolve/</c> says about one file. <see cref="Exists"/> false is the hub's 404 for the
/// entry (the repository and revision exist).</summary>
/// <param name="Commit">X-Repo-Commit: the commit the revision resolved to (also sent with an entry's 404).</param>
/// <param name="Etag">X-Linked-Etag (LFS: the file's sha256), else ETag (git blob sha1), without quotes or W/.</param>
/// <param name="Size">X-Linked-Size (LFS), else Content-Length.</param>
internal sealed record HubHead(bool Exists, string? Commit, string Etag, long Size);

/// <summary>The hub's HTTP API as huggingface_hub uses it: <c>HEAD {endpoint}/{repo}/resolve/{revision}/{path}</c>
/// for the metadata (following only relative redirects, so an LFS file's redirect to the CDN is not taken and its
/// X-Linked-* headers are read from the 302), then <c>GET</c> for the content, following every redirect. The bearer
/// token goes to the endpoint's own origin only. Requests send <c>Accept-Encoding: identity</c> so sizes and hashes
/// are those of the file.</summary>
internal sealed class HubClient : IDisposable
{
    private const int MaxRedirects = 10;

    private readonly HttpClient _http;
    private readonly HubSettings _settings;
    private readonly Uri _endpoint;

    public HubClient(HubSettings settings)
    {
        _settings = settings;
        _endpoint = new Uri(settings.Endpoint + "/");
        // Redirects are followed by hand: HEAD must stop at absolute ones, and the token must not follow them.
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = settings.Timeout,
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd($"saeaudit/{typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "0"}");
        _http.DefaultRequestHeaders.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
    }

    /// <summary>The URL huggingface_hub's <c>hf_hub_url</c> builds: the revision escaped as one segment (so
    /// <c>refs/pr/1</c> becomes <c>refs%2Fpr%2F1</c>), each path segment escaped.</summary>
    public Uri ResolveUrl(HubReference reference, string revision, string repoPath) =>
        new(_endpoint, $"{reference.UrlPath}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', repoPath.Split('/').Select(Uri.EscapeDataString))}");

    public async Task<HubHead> HeadAsync(HubReference reference, string revision, string repoPath, CancellationToken cancellation)
    {
        HttpResponseMessage sent;
        try
        {
            sent = await SendAsync(HttpMethod.Head, ResolveUrl(reference, revision, repoPath), null,
                followAbsoluteRedirects: false, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new IOException(
                $"{reference}: {repoPath}: cannot reach the hub at {_settings.Endpoint} ({e.Message}); with HF_HUB_OFFLINE=1 only the cache is used", e);
        }
        using var response = sent;
        var commit = Header(response, "X-Repo-Commit");
        if (response.StatusCode == HttpStatusCode.NotFound && Header(response, "X-Error-Code") is null or "EntryNotFound")
            return new HubHead(false, commit, "", 0);
        ThrowIfFailed(response, reference, repoPath, revision);

        var etag = NormalizeEtag(Header(response, "X-Linked-Etag") ?? Header(response, "ETag"))
            ?? throw new IOException($"{reference}: {repoPath}: the hub sent no ETag, so the file cannot be cached reliably");
        var size = long.TryParse(Header(response, "X-Linked-Size"), out var linked) ? linked
            : response.Content.Headers.ContentLength
            ?? throw new IOException($"{reference}: {repoPath}: the hub sent neither X-Linked-Size nor Content-Length");
        return new HubHead(true, commit, etag, size);
    }

    /// <summary>GET from byte <paramref name="offset"/> on (a <c>Range</c> request when above 0); the caller reads
    /// the body and disposes the response. Any status is returned: 200, 206 and 416 all mean something to a resume.</summary>
    public Task<HttpResponseMessage> GetAsync(Uri url, long offset, CancellationToken cancellation) =>
        SendAsync(HttpMethod.Get, url, offset > 0 ? new RangeHeaderValue(offset, null) : null, followAbsoluteRedirects: true,
            cancellation);

    /// <summary>Turns an error status into an exception naming what was asked for: a missing or inaccessible
    /// repository or revision is bad input (exit 2), a server failure is an <see cref="IOException"/>.</summary>
    public static void ThrowIfFailed(HttpResponseMessage response, HubReference reference, string repoPath, string revision)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 400) return;
        var code = Header(response, "X-Error-Code");
        var hint = Header(response, "X-Error-Message") is { } message ? $" ({message})" : "";
        throw (response.StatusCode, code) switch
        {
            (_, "GatedRepo") => InvalidInputException.For(reference.Text, repoPath,
                $"{reference.UrlPath} is gated: accept its conditions on the hub and set HF_TOKEN to a token that may read it{hint}"),
            (_, "RevisionNotFound") => InvalidInputException.For(reference.Text, repoPath,
                $"revision \"{revision}\" does not exist in {reference.UrlPath}{hint}"),
            (HttpStatusCode.Unauthorized, _) or (_, "RepoNotFound") => InvalidInputException.For(reference.Text, repoPath,
                $"repository {reference.UrlPath} not found, or private and HF_TOKEN does not grant access (HTTP {status}){hint}"),
            (HttpStatusCode.Forbidden, _) => InvalidInputException.For(reference.Text, repoPath,
                $"access to {reference.UrlPath} denied (HTTP 403): check that HF_TOKEN may read it{hint}"),
            _ => new IOException($"{reference}: {repoPath}: the hub answered HTTP {status} {response.ReasonPhrase}{hint}"),
        };
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, RangeHeaderValue? range,
        bool followAbsoluteRedirects, CancellationToken cancellation)
    {
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            if (_settings.Token is not null && SameOrigin(url, _endpoint))
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _settings.Token);
            request.Headers.Range = range;

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(_settings.Timeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new IOException($"{url}: no response within {_settings.Timeout.TotalSeconds:0.#} s (HF_HUB_DOWNLOAD_TIMEOUT)");
            }

            var status = (int)response.StatusCode;
            if (status is < 300 or > 399 || response.Headers.Location is not { } location) return response;
            // On Unix "/path" parses as an absolute file: URI, so only http(s) counts as absolute.
            var absolute = location.IsAbsoluteUri && (location.Scheme == Uri.UriSchemeHttp || location.Scheme == Uri.UriSchemeHttps);
            // huggingface_hub's HEAD follows only relative redirects (a renamed repository), not the CDN's absolute ones.
            if (absolute && !followAbsoluteRedirects) return response;
            response.Dispose();
            if (hop == MaxRedirects) throw new IOException($"{url}: more than {MaxRedirects} redirects");
            url = absolute ? location : new Uri(url, location.OriginalString);
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    /// <summary>huggingface_hub's <c>_normalize_etag</c>: drop a weak <c>W/</c> prefix and the quotes.</summary>
    private static string? NormalizeEtag(string? etag) =>
        etag is null ? null : (etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag).Trim('"');
}
