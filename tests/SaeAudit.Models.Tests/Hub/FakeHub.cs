using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SaeAudit.Models.Tests.Hub;

/// <summary>A tiny HTTP/1.1 server on 127.0.0.1 that answers like the Hugging Face hub's <c>/resolve/</c> API: regular
/// files with a git-blob ETag, LFS files with a 302 to a "CDN" (a second listener, so a different origin) carrying
/// X-Linked-Etag (the sha256) and X-Linked-Size, 404s with X-Error-Code, and Range requests. One request per connection.
/// It stops itself after three minutes, whatever the test does.</summary>
internal sealed class FakeHub : IDisposable
{
    private readonly TcpListener _hub = new(IPAddress.Loopback, 0);
    private readonly TcpListener _cdn = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(3));
    private readonly Dictionary<string, Repo> _repos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HubFile> _blobs = new(StringComparer.Ordinal);
    private readonly Task[] _loops;

    public FakeHub()
    {
        _hub.Start();
        _cdn.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_hub.LocalEndpoint).Port}";
        CdnOrigin = $"http://127.0.0.1:{((IPEndPoint)_cdn.LocalEndpoint).Port}";
        _loops = [Task.Run(() => AcceptLoop(_hub)), Task.Run(() => AcceptLoop(_cdn))];
    }

    public string Endpoint { get; }

    public string CdnOrigin { get; }

    /// <summary>Every request received, hub and CDN, in arrival order.</summary>
    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>The first GET of the next LFS file's content sends only this many bytes, then closes the connection.</summary>
    public long? DropFirstDownloadAfter { get; set; }

    public static string CommitOf(string repo) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(repo)));

    public static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Adds a file at the repo's single commit (branch main). <paramref name="etag"/> replaces the true one
    /// (for an LFS file: the announced sha256).</summary>
    public void Add(string repo, string path, byte[] content, bool lfs, string? etag = null)
    {
        lock (_repos)
        {
            if (!_repos.TryGetValue(repo, out var r)) _repos[repo] = r = new Repo(CommitOf(repo), new Dictionary<string, HubFile>(StringComparer.Ordinal));
            var file = new HubFile(content, lfs, etag ?? (lfs ? Sha256Of(content) : GitBlobSha1(content)));
            r.Files[path] = file;
            if (lfs) _blobs[file.Etag] = file;
        }
    }

    public void Add(string repo, string path, string text) => Add(repo, path, Encoding.UTF8.GetBytes(text), lfs: false);

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _hub.Stop();
        _cdn.Stop();
        Task.WaitAll(_loops, TimeSpan.FromSeconds(10));
    }

    private static string GitBlobSha1(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    private async Task AcceptLoop(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => Serve(client, listener == _cdn));
        }
    }

    private async Task Serve(TcpClient client, bool cdn)
    {
        using (client)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequest(stream, timeout.Token);
                if (request is null) return;
                Requests.Enqueue(request with { Cdn = cdn });
                await Respond(stream, request, cdn, timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The client went away or the server is stopping: nothing to answer.
            }
        }
    }

    private static async Task<Request?> ReadRequest(NetworkStream stream, CancellationToken cancellation)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellation) == 0) return null;
            bytes.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(bytes.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var start = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return new Request(start[0], start[1], headers, Cdn: false);
    }

    private async Task Respond(NetworkStream stream, Request request, bool cdn, CancellationToken cancellation)
    {
        var head = request.Method == "HEAD";
        if (cdn)
        {
            HubFile? blob;
            lock (_repos) blob = _blobs.GetValueOrDefault(request.Target.Split('/').Last());
            if (blob is null)
            {
                await Write(stream, 404, [], ReadOnlyMemory<byte>.Empty, head, cancellation);
                return;
            }
            await SendContent(stream, request, blob, [], head, cancellation);
            return;
        }

        // /[datasets/]{owner}/{name}/resolve/{revision}/{path...}; dataset repositories are added as "datasets/owner/name".
        var parts = request.Target.Split('/');
        var prefix = "";
        if (parts.Length > 1 && parts[1] == "datasets")
        {
            prefix = "datasets/";
            parts = ["", .. parts[2..]];
        }
        Repo? repo;
        lock (_repos) repo = parts.Length > 5 && parts[3] == "resolve" ? _repos.GetValueOrDefault(prefix + parts[1] + "/" + parts[2]) : null;
        if (repo is null)
        {
            await Write(stream, 404, [("X-Error-Code", "RepoNotFound")], ReadOnlyMemory<byte>.Empty, head, cancellation);
            return;
        }
        var revision = Uri.UnescapeDataString(parts[4]);
        if (revision != "main" && revision != repo.Commit)
        {
            await Write(stream, 404, [("X-Error-Code", "RevisionNotFound")], ReadOnlyMemory<byte>.Empty, head, cancellation);
            return;
        }
        var path = string.Join('/', parts[5..].Select(Uri.UnescapeDataString));
        var commitHeader = ("X-Repo-Commit", repo.Commit);
        HubFile? file;
        lock (_repos) file = repo.Files.GetValueOrDefault(path);
        if (file is null)
        {
            await Write(stream, 404, [commitHeader, ("X-Error-Code", "EntryNotFound")], ReadOnlyMemory<byte>.Empty, head, cancellation);
            return;
        }
        if (file.Lfs)
        {
            await Write(stream, 302,
            [
                commitHeader, ("X-Linked-Etag", $"\"{file.Etag}\""), ("X-Linked-Size", file.Content.Length.ToString()),
                ("Location", $"{CdnOrigin}/cdn/{file.Etag}"), ("ETag", "\"pointer-etag\""),
            ], ReadOnlyMemory<byte>.Empty, head, cancellation);
            return;
        }
        await SendContent(stream, request, file, [commitHeader, ("ETag", $"\"{file.Etag}\"")], head, cancellation);
    }

    /// <summary>200, or 206 for <c>Range: bytes=N-</c>; the first LFS GET is cut short when asked to.</summary>
    private async Task SendContent(NetworkStream stream, Request request, HubFile file, (string, string)[] headers, bool head,
        CancellationToken cancellation)
    {
        var from = request.Headers.TryGetValue("Range", out var range) && range.StartsWith("bytes=", StringComparison.Ordinal)
            ? long.Parse(range["bytes=".Length..].TrimEnd('-'))
            : 0;
        if (from >= file.Content.Length && from > 0)
        {
            await Write(stream, 416, [.. headers, ("Content-Range", $"bytes */{file.Content.Length}")], ReadOnlyMemory<byte>.Empty, head, cancellation);
            return;
        }
        var body = file.Content.AsMemory((int)from);
        (string, string)[] all = from > 0
            ? [.. headers, ("Content-Range", $"bytes {from}-{file.Content.Length - 1}/{file.Content.Length}")]
            : headers;
        long? cut = null;
        if (!head && file.Lfs)
            lock (_repos)
            {
                cut = DropFirstDownloadAfter;
                DropFirstDownloadAfter = null;
            }
        await Write(stream, from > 0 ? 206 : 200, all, body, head, cancellation, cut);
    }

    private static async Task Write(NetworkStream stream, int status, (string Name, string Value)[] headers, ReadOnlyMemory<byte> body,
        bool head, CancellationToken cancellation, long? cutAfter = null)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {((HttpStatusCode)status)}\r\n");
        foreach (var (name, value) in headers) text.Append($"{name}: {value}\r\n");
        text.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()), cancellation);
        if (!head) await stream.WriteAsync(cutAfter is { } n ? body[..(int)n] : body, cancellation);
        await stream.FlushAsync(cancellation);
    }

    public sealed record Request(string Method, string Target, IReadOnlyDictionary<string, string> Headers, bool Cdn);

    private sealed record Repo(string Commit, Dictionary<string, HubFile> Files);

    private sealed record HubFile(byte[] Content, bool Lfs, string Etag);
}
