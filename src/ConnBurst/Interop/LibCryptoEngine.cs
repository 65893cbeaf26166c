using System.Runtime.InteropServices;

namespace ConnBurst.Interop;

/// <summary>
/// libcrypto's ENGINE and legacy key-method entry points, only as far as <c>Tls/OpenSsl/RsaKeyMethod</c> needs them
/// (docs/DECISIONS.md, "Tls: RSA keys bypass OpenSSL 3.0's key decoders"). Deprecated in OpenSSL 3 but built and exported by
/// Debian's libcrypto.so.3; where a libcrypto lacks them the caller skips the whole step.
/// </summary>
internal static unsafe partial class LibCryptoEngine
{
    private const string Crypto = "libcrypto.so.3";

    /// <summary>libcrypto's NID_rsaEncryption, which is EVP_PKEY_RSA.</summary>
    public const int PkeyRsa = 6;

    [LibraryImport(Crypto, EntryPoint = "ENGINE_new")] public static partial nint New();
    [LibraryImport(Crypto, EntryPoint = "ENGINE_free")] public static partial int Free(nint engine);
    [LibraryImport(Crypto, EntryPoint = "ENGINE_set_id", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetId(nint engine, string id);
    [LibraryImport(Crypto, EntryPoint = "ENGINE_set_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetName(nint engine, string name);
    /// <summary>The engine's <c>int (*)(ENGINE *, EVP_PKEY_METHOD **, const int **nids, int nid)</c>.</summary>
    [LibraryImport(Crypto, EntryPoint = "ENGINE_set_pkey_meths")] public static partial int SetPkeyMeths(nint engine, nint callback);
    [LibraryImport(Crypto, EntryPoint = "ENGINE_init")] public static partial int Init(nint engine);
    [LibraryImport(Crypto, EntryPoint = "ENGINE_register_pkey_meths")] public static partial int RegisterPkeyMeths(nint engine);
    [LibraryImport(Crypto, EntryPoint = "ENGINE_get_pkey_meth_engine")] public static partial nint GetPkeyMethEngine(int nid);
    [LibraryImport(Crypto, EntryPoint = "ENGINE_finish")] public static partial int Finish(nint engine);
    /// <summary>libcrypto's own (built-in, non-provider) method for a key type.</summary>
    [LibraryImport(Crypto, EntryPoint = "EVP_PKEY_meth_find")] public static partial nint PkeyMethFind(int type);
}
