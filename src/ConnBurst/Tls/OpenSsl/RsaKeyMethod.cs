using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// Makes libcrypto decode and use RSA keys through its own built-in RSA method instead of OpenSSL 3.0's provider decoders
/// (docs/DECISIONS.md, "Tls: RSA keys bypass OpenSSL 3.0's key decoders"). Every handshake parses the peer's certificates, and
/// OpenSSL 3.0 decodes each one's public key by building a decoder context that enumerates every decoder and key manager of
/// every provider: 85 us a certificate here against 8 us through the built-in method, and more under the generator's threads,
/// which contend for the method store's locks. libcrypto takes the built-in path when an ENGINE is registered for the key
/// type, so this registers one whose only method is libcrypto's own RSA method: the same arithmetic, checks and padding, with
/// nothing cached between handshakes. Process-wide and once; the engines' .NET SslStream paths benefit too.
/// </summary>
internal static unsafe class RsaKeyMethod
{
    private static readonly Lazy<bool> Registered = new(Register);
    private static nint _nids;

    /// <summary>Registers the method once per process; false where libcrypto has no ENGINE support (then nothing changes).</summary>
    public static bool EnsureRegistered() => Registered.Value;

    /// <summary>Whether libcrypto now takes RSA keys through the registered method.</summary>
    internal static bool IsActive => Registered.IsValueCreated && Registered.Value && Selected();

    private static bool Selected()
    {
        var engine = LibCryptoEngine.GetPkeyMethEngine(LibCryptoEngine.PkeyRsa);
        if (engine == 0) return false;
        LibCryptoEngine.Finish(engine);
        return true;
    }

    private static bool Register()
    {
        try
        {
            if (LibCryptoEngine.PkeyMethFind(LibCryptoEngine.PkeyRsa) == 0) return false;
            var nids = (int*)NativeMemory.Alloc(sizeof(int));
            *nids = LibCryptoEngine.PkeyRsa;
            _nids = (nint)nids;
            var engine = LibCryptoEngine.New();
            if (engine == 0) return false;
            var ok = LibCryptoEngine.SetId(engine, "connburst-rsa") == 1
                && LibCryptoEngine.SetName(engine, "libcrypto's built-in RSA method, bypassing 3.0's decoders") == 1
                && LibCryptoEngine.SetPkeyMeths(engine,
                    (nint)(delegate* unmanaged[Cdecl]<nint, nint*, int**, int, int>)&PkeyMeths) == 1
                && LibCryptoEngine.Init(engine) == 1
                && LibCryptoEngine.RegisterPkeyMeths(engine) == 1;
            // The table and the functional reference from Init keep the engine for the life of the process.
            LibCryptoEngine.Free(engine);
            LibCrypto.ErrClearError();
            return ok && Selected();
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a libcrypto built without engines: its decoders it is
        }
    }

    /// <summary>The engine's key-method callback: asked for its list (pmeth null), or for the method of one key type.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int PkeyMeths(nint engine, nint* pmeth, int** nids, int nid)
    {
        if (pmeth == null)
        {
            *nids = (int*)_nids;
            return 1;
        }
        *pmeth = nid == LibCryptoEngine.PkeyRsa ? LibCryptoEngine.PkeyMethFind(nid) : 0;
        return *pmeth != 0 ? 1 : 0;
    }
}
