using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;

namespace ConnBurst.Tls;

/// <summary>What <see cref="CrlSet.ReloadIfChanged"/> did.</summary>
internal enum CrlReloadOutcome
{
    /// <summary>The file's size and modification time are as last read.</summary>
    Unchanged,
    /// <summary>A new CRL was read, verified and swapped in.</summary>
    Reloaded,
    /// <summary>The file changed but does not parse or verify; the previous CRL stays in force.</summary>
    Refused,
}

/// <summary>
/// The revoked serials of one CRL, parsed once and signature-checked against the issuing CA, held in a hash set so that
/// a handshake's check is one O(1) lookup (docs/DECISIONS.md, "Tls: the CRL is a hash set of revoked serials, checked in O(1)"). <see
/// cref="ReloadIfChanged"/> is polled from the server's
/// one heartbeat: a changed file is re-read and swapped in atomically, without a restart.
/// </summary>
internal sealed class CrlSet
{
    private sealed record Snapshot(CrlContents Contents, FileStamp Stamp, DateTimeOffset LoadedAt);
    private readonly record struct FileStamp(DateTime WriteTimeUtc, long Length);

    private readonly X509Certificate2 _issuer;
    private readonly byte[] _issuerName;
    private readonly Action<string>? _log;
    private volatile Snapshot _current;
    private int _reloads;

    public string Path { get; }

    private CrlSet(string path, X509Certificate2 issuer, Action<string>? log, Snapshot first)
    {
        Path = path;
        _issuer = issuer;
        _issuerName = issuer.SubjectName.RawData;
        _log = log;
        _current = first;
    }

    /// <summary>Reads and verifies the CRL at <paramref name="path"/>; refuses a bad one with an <see cref="InputException"/>.</summary>
    public static CrlSet Load(string path, X509Certificate2 issuer, Action<string>? log = null)
    {
        var snapshot = Read(path, issuer, out var error) ?? throw new InputException($"CRL {path} refused: {error}");
        return new CrlSet(path, issuer, log, snapshot);
    }

    /// <summary>Number of revoked serials in force.</summary>
    public int Count => _current.Contents.RevokedSerials.Count;

    /// <summary>How many times a changed file was swapped in since start.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    public DateTimeOffset? NextUpdate => _current.Contents.NextUpdate;

    /// <summary>True when <paramref name="cert"/> was issued by this CRL's issuer and its serial is listed.</summary>
    public bool IsRevoked(X509Certificate2 cert)
    {
        // A serial only means something under its issuer; a certificate from another CA is not "revoked" by us.
        if (!cert.IssuerName.RawData.AsSpan().SequenceEqual(_issuerName)) return false;
        return _current.Contents.RevokedSerials.Contains(CrlParser.SerialKey(cert.SerialNumberBytes.Span));
    }

    /// <summary>
    /// The same answer from raw fields (the native server engine's verify callback): the DER of the certificate's issuer
    /// Name and its serial's big-endian magnitude.
    /// </summary>
    public bool IsRevoked(ReadOnlySpan<byte> issuerNameDer, ReadOnlySpan<byte> serialBigEndian)
    {
        if (!issuerNameDer.SequenceEqual(_issuerName)) return false;
        return _current.Contents.RevokedSerials.Contains(CrlParser.SerialKey(serialBigEndian));
    }

    /// <summary>Re-reads the file when its size or modification time changed. Cheap when unchanged (one stat).</summary>
    public CrlReloadOutcome ReloadIfChanged()
    {
        var old = _current;
        FileStamp stamp;
        try { stamp = Stamp(Path); }
        catch (IOException) { return CrlReloadOutcome.Unchanged; } // mid-replace: the next tick sees the new file
        if (stamp == old.Stamp) return CrlReloadOutcome.Unchanged;
        var next = Read(Path, _issuer, out var error);
        if (next is null)
        {
            // Remember the bad stamp so a refused file is reported once, not every tick; keep the old serials.
            _current = old with { Stamp = stamp };
            _log?.Invoke(
                $"CRL {Path} changed but was refused, keeping the previous one ({old.Contents.RevokedSerials.Count} serials): {error}");
            return CrlReloadOutcome.Refused;
        }
        _current = next;
        Interlocked.Increment(ref _reloads);
        _log?.Invoke(
            $"CRL {Path} reloaded: {next.Contents.RevokedSerials.Count} revoked serials (was {old.Contents.RevokedSerials.Count})");
        return CrlReloadOutcome.Reloaded;
    }

    private static Snapshot? Read(string path, X509Certificate2 issuer, out string error)
    {
        error = "";
        try
        {
            // Stamp first: a write that lands after it changes the stamp again, so the next poll re-reads.
            var stamp = Stamp(path);
            var der = Decode(File.ReadAllBytes(path));
            var contents = CrlParser.ParseAndVerify(der, issuer);
            return new Snapshot(contents, stamp, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (
            e is CryptographicException or AsnContentException or IOException or UnauthorizedAccessException or FormatException)
        {
            error = e is FileNotFoundException ? "file not found" : e.Message;
            return null;
        }
    }

    /// <summary>PEM ("X509 CRL") or raw DER.</summary>
    private static byte[] Decode(byte[] file)
    {
        if (file.Length > 0 && file[0] == 0x30) return file;
        var text = System.Text.Encoding.ASCII.GetString(file);
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "X509 CRL")
            throw new CryptographicException("no PEM 'X509 CRL' block and not DER");
        return Convert.FromBase64String(text[fields.Base64Data]);
    }

    private static FileStamp Stamp(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException(path);
        return new FileStamp(info.LastWriteTimeUtc, info.Length);
    }
}
