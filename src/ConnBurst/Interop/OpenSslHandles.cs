using Microsoft.Win32.SafeHandles;

namespace ConnBurst.Interop;

// Owners of libssl and libcrypto objects. The engines keep the raw pointer for their calls (SSL_read and SSL_write run
// per record on the hot path, and a SafeHandle parameter would add a reference-count round trip to each); these
// handles own the object's lifetime, so an engine object that is leaked instead of disposed still frees its native
// memory from the finalizer, and a double free cannot happen.

/// <summary>An SSL_CTX* (one per run or server); SSL_new up-references it, so freeing ours leaves live connections working.</summary>
internal sealed class SafeSslContextHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    public SafeSslContextHandle(nint ctx) : this() => SetHandle(ctx);

    protected override bool ReleaseHandle()
    {
        LibSsl.CtxFree(handle);
        return true;
    }
}

/// <summary>An SSL* (one per connection).</summary>
internal sealed class SafeSslHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    public SafeSslHandle(nint ssl) : this() => SetHandle(ssl);

    protected override bool ReleaseHandle()
    {
        LibSsl.Free(handle);
        return true;
    }
}

/// <summary>An X509* we decoded (a certificate or a chain member).</summary>
internal sealed class SafeX509Handle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    public SafeX509Handle(nint x509) : this() => SetHandle(x509);

    protected override bool ReleaseHandle()
    {
        LibCrypto.X509Free(handle);
        return true;
    }
}

/// <summary>An EVP_PKEY* we decoded (a private key).</summary>
internal sealed class SafeEvpPkeyHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    public SafeEvpPkeyHandle(nint pkey) : this() => SetHandle(pkey);

    protected override bool ReleaseHandle()
    {
        LibCrypto.PkeyFree(handle);
        return true;
    }
}
