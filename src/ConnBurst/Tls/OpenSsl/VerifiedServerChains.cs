using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// The client engine's memory of server chains it has verified in full (docs/DECISIONS.md, "Tls: the generator remembers
/// the server chains it verified; servers verify every client"). A load generator meets the same server chain on every
/// connect; OpenSSL builds and checks it each time (X509_verify_cert: 9% of the generator's CPU). Here libssl's call to
/// X509_verify_cert goes through <see cref="Verify"/>: a chain whose exact bytes, expected peer name and trust store passed a
/// full check less than <see cref="FreshFor"/> ago passes again; anything else gets the full check, and only a pass is
/// remembered. A server that changes its certificate sends other bytes, so its first handshake after the change is checked
/// in full; time (a certificate that expires mid-run) is caught by the full check every <see cref="FreshFor"/>.
/// The server's cost is untouched: it proves its key on every handshake, which the client still verifies.
/// </summary>
internal sealed unsafe class VerifiedServerChains : IDisposable
{
    /// <summary>How long a full check stands for identical bytes (tests lengthen it to count checks on a slow machine).</summary>
    public TimeSpan FreshFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Chains remembered at most (a run meets one per server it targets); past it the memory starts over.</summary>
    private const int Capacity = 256;

    /// <summary>The <c>SSL</c> ex-data slot holding a connection's expected peer name, as its number in <see cref="_names"/>.</summary>
    private const int PeerNameSlot = 0; // SSL_set_app_data

    private static readonly int SslIndexInStoreContext = LibSsl.GetExDataX509StoreCtxIdx();

    private readonly ConcurrentDictionary<ChainKey, long> _verifiedAtMs = new();
    private readonly ConcurrentDictionary<string, int> _names = new(StringComparer.Ordinal);
    private GCHandle _self;
    private long _fullChecks, _remembered;
    private int _lastName;

    /// <summary>Chains checked in full by X509_verify_cert, and handshakes that a remembered check let through.</summary>
    public long FullChecks => Interlocked.Read(ref _fullChecks);
    public long Remembered => Interlocked.Read(ref _remembered);

    /// <summary>Puts <see cref="Verify"/> in place of libssl's chain check on a client context whose trust store is final.</summary>
    public void Install(nint ctx)
    {
        _self = GCHandle.Alloc(this, GCHandleType.Weak);
        LibSsl.CtxSetCertVerifyCallback(ctx, (nint)(delegate* unmanaged[Cdecl]<nint, nint, int>)&Verify, GCHandle.ToIntPtr(_self));
    }

    /// <summary>Tags a connection with the name or address its server's certificate must carry (part of what a check proved).</summary>
    public void Expect(nint ssl, string? peerName)
    {
        var id = string.IsNullOrEmpty(peerName) ? 0
            : _names.GetOrAdd(peerName, static (_, self) => Interlocked.Increment(ref self._lastName), this);
        LibSsl.SetExData(ssl, PeerNameSlot, id);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Verify(nint storeCtx, nint arg)
    {
        try
        {
            if (arg == 0 || GCHandle.FromIntPtr(arg).Target is not VerifiedServerChains chains) return LibCrypto.X509VerifyCert(storeCtx);
            return chains.Check(storeCtx);
        }
        catch (Exception)
        {
            // Nothing may unwind into libssl; a check that cannot run refuses the peer.
            LibCrypto.StoreCtxSetError(storeCtx, OpenSslVerifyErrors.ApplicationVerification);
            return 0;
        }
    }

    private int Check(nint storeCtx)
    {
        var ssl = LibCrypto.StoreCtxGetExData(storeCtx, SslIndexInStoreContext);
        var key = ssl == 0 ? null : KeyOf(storeCtx, (int)LibSsl.GetExData(ssl, PeerNameSlot));
        var now = Environment.TickCount64;
        if (key is not null && _verifiedAtMs.TryGetValue(key, out var at) && now - at < FreshFor.TotalMilliseconds)
        {
            Interlocked.Increment(ref _remembered);
            return 1; // the store context's error is X509_V_OK from its init
        }
        Interlocked.Increment(ref _fullChecks);
        var ok = LibCrypto.X509VerifyCert(storeCtx);
        if (ok == 1 && key is not null)
        {
            if (_verifiedAtMs.Count >= Capacity) _verifiedAtMs.Clear();
            _verifiedAtMs[key] = now;
        }
        return ok;
    }

    /// <summary>The peer's chain as sent (each certificate's DER, in order) and the expected name's number; null if unreadable.</summary>
    private static ChainKey? KeyOf(nint storeCtx, int peerName)
    {
        var chain = LibCrypto.StoreCtxGet0Untrusted(storeCtx);
        var count = chain == 0 ? 0 : LibCrypto.StackNum(chain);
        if (count <= 0) return null;
        var lengths = stackalloc int[count];
        var total = 0;
        for (var i = 0; i < count; i++)
        {
            lengths[i] = LibCrypto.I2dX509(LibCrypto.StackValue(chain, i), null);
            if (lengths[i] <= 0) return null;
            total += lengths[i];
        }
        var bytes = new byte[total];
        fixed (byte* start = bytes)
        {
            var p = start;
            for (var i = 0; i < count; i++)
                if (LibCrypto.I2dX509(LibCrypto.StackValue(chain, i), &p) != lengths[i]) return null; // i2d moves p on
        }
        return new ChainKey(bytes, peerName);
    }

    public void Dispose()
    {
        if (_self.IsAllocated) _self.Free();
        _verifiedAtMs.Clear();
    }

    /// <summary>A chain's bytes and the expected peer name's number, compared by content.</summary>
    private sealed class ChainKey(byte[] bytes, int peerName) : IEquatable<ChainKey>
    {
        private readonly int _hash = HashOf(bytes, peerName);

        private static int HashOf(byte[] bytes, int peerName)
        {
            var h = new HashCode();
            h.AddBytes(bytes);
            h.Add(peerName);
            return h.ToHashCode();
        }

        public bool Equals(ChainKey? other) =>
            other is not null && other._hash == _hash && other.PeerName == PeerName && other.Bytes.AsSpan().SequenceEqual(Bytes);

        public override bool Equals(object? obj) => Equals(obj as ChainKey);
        public override int GetHashCode() => _hash;

        public byte[] Bytes { get; } = bytes;
        public int PeerName { get; } = peerName;
    }
}
