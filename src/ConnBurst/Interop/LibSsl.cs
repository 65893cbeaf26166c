using System.Runtime.InteropServices;

namespace ConnBurst.Interop;

/// <summary>
/// The few libssl 3 entry points the native client and server engines need (docs/DECISIONS.md, "Tls: a thin libssl
/// client engine" and "Tls: a libssl server engine").
/// Macros in ssl.h (SSL_CTX_set_mode, set_min_proto_version, SSL_set_tlsext_host_name, add1_chain_cert) are their
/// <c>SSL_CTX_ctrl</c>/<c>SSL_ctrl</c> calls with the constants below. Calls that do socket I/O capture errno.
/// </summary>
internal static unsafe partial class LibSsl
{
    private const string Ssl = "libssl.so.3";

    public const int ErrorNone = 0, ErrorSsl = 1, ErrorWantRead = 2, ErrorWantWrite = 3, ErrorSyscall = 5, ErrorZeroReturn = 6;
    public const int VerifyNone = 0, VerifyPeer = 1, VerifyFailIfNoPeerCert = 2;
    public const int SentShutdown = 1, ReceivedShutdown = 2;
    public const int CtrlSetReadAhead = 41, CtrlMode = 33, CtrlSetSessCacheMode = 44, CtrlSetTlsextHostname = 55;
    public const int CtrlChainCert = 89;
    public const int CtrlSetMinProtoVersion = 123, CtrlSetMaxProtoVersion = 124;
    public const long ModeEnablePartialWrite = 0x1, ModeAcceptMovingWriteBuffer = 0x2, ModeNoAutoChain = 0x8, ModeReleaseBuffers = 0x10;
    public const long Tls12Version = 0x0303, Tls13Version = 0x0304;
    public const ulong OpIgnoreUnexpectedEof = 1UL << 7, OpNoTicket = 1UL << 14;

    [LibraryImport(Ssl, EntryPoint = "TLS_client_method")] public static partial nint TlsClientMethod();
    /// <summary>The TLS 1.2-only client method (deprecated in OpenSSL 3 but built): its connections keep their method after the
    /// handshake.</summary>
    [LibraryImport(Ssl, EntryPoint = "TLSv1_2_client_method")] public static partial nint Tls12ClientMethod();
    [LibraryImport(Ssl, EntryPoint = "SSL_SESSION_new")] public static partial nint SessionNew();
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_new")] public static partial nint CtxNew(nint method);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_free")] public static partial void CtxFree(nint ctx);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_ctrl")] public static partial long CtxCtrl(nint ctx, int cmd, long larg, nint parg);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_options")] public static partial ulong CtxSetOptions(nint ctx, ulong options);
    /// <summary>0 on success (unlike most of libssl).</summary>
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_alpn_protos")]
    public static partial int CtxSetAlpnProtos(nint ctx, byte[] protos, uint len);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_cipher_list", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CtxSetCipherList(nint ctx, string list);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_ciphersuites", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CtxSetCipherSuites(nint ctx, string list);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_get_cert_store")] public static partial nint CtxGetCertStore(nint ctx);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_verify")] public static partial void CtxSetVerify(nint ctx, int mode, nint callback);
    [LibraryImport(Ssl, EntryPoint = "TLS_server_method")] public static partial nint TlsServerMethod();
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_use_certificate")] public static partial int CtxUseCertificate(nint ctx, nint x509);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_use_PrivateKey")] public static partial int CtxUsePrivateKey(nint ctx, nint pkey);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_check_private_key")] public static partial int CtxCheckPrivateKey(nint ctx);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_add_client_CA")] public static partial int CtxAddClientCa(nint ctx, nint x509);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_num_tickets")] public static partial int CtxSetNumTickets(nint ctx, nuint count);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_session_id_context")]
    public static partial int CtxSetSessionIdContext(nint ctx, byte* id, uint length);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_ex_data")] public static partial int CtxSetExData(nint ctx, int index, nint data);
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_get_ex_data")] public static partial nint CtxGetExData(nint ctx, int index);
    [LibraryImport(Ssl, EntryPoint = "OPENSSL_cipher_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint CipherName(string standardName);

    [LibraryImport(Ssl, EntryPoint = "SSL_new")] public static partial nint New(nint ctx);
    [LibraryImport(Ssl, EntryPoint = "SSL_free")] public static partial void Free(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_set_fd")] public static partial int SetFd(nint ssl, int fd);
    [LibraryImport(Ssl, EntryPoint = "SSL_set_connect_state")] public static partial void SetConnectState(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_set_accept_state")] public static partial void SetAcceptState(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_get_SSL_CTX")] public static partial nint GetSslCtx(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_set_ex_data")] public static partial int SetExData(nint ssl, int index, nint data);
    [LibraryImport(Ssl, EntryPoint = "SSL_get_ex_data")] public static partial nint GetExData(nint ssl, int index);
    /// <summary>Replaces libssl's call to X509_verify_cert for the peer's chain: <c>int (*)(X509_STORE_CTX *, void *arg)</c>.</summary>
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_cert_verify_callback")]
    public static partial void CtxSetCertVerifyCallback(nint ctx, nint callback, nint arg);
    [LibraryImport(Ssl, EntryPoint = "SSL_get_ex_data_X509_STORE_CTX_idx")] public static partial int GetExDataX509StoreCtxIdx();
    [LibraryImport(Ssl, EntryPoint = "SSL_get0_peer_certificate")] public static partial nint Get0PeerCertificate(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_version")] public static partial int Version(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_ctrl")] public static partial long Ctrl(nint ssl, int cmd, long larg, nint parg);
    [LibraryImport(Ssl, EntryPoint = "SSL_use_certificate")] public static partial int UseCertificate(nint ssl, nint x509);
    [LibraryImport(Ssl, EntryPoint = "SSL_use_PrivateKey")] public static partial int UsePrivateKey(nint ssl, nint pkey);
    [LibraryImport(Ssl, EntryPoint = "SSL_set1_host", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Set1Host(nint ssl, string host);
    [LibraryImport(Ssl, EntryPoint = "SSL_get0_param")] public static partial nint Get0Param(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_get_verify_result")] public static partial long GetVerifyResult(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_has_pending")] public static partial int HasPending(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_get_error")] public static partial int GetError(nint ssl, int ret);
    [LibraryImport(Ssl, EntryPoint = "SSL_do_handshake", SetLastError = true)] public static partial int DoHandshake(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_read", SetLastError = true)] public static partial int Read(nint ssl, byte* buffer, int count);
    [LibraryImport(Ssl, EntryPoint = "SSL_write", SetLastError = true)] public static partial int Write(nint ssl, byte* buffer, int count);
    [LibraryImport(Ssl, EntryPoint = "SSL_get_version")] public static partial nint GetVersion(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_get1_session")] public static partial nint Get1Session(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_get_session")] public static partial nint GetSession(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_set_session")] public static partial int SetSession(nint ssl, nint session);
    /// <summary>Frees the connection's read and write buffers now; 0 (nothing freed) while either holds unprocessed bytes.</summary>
    [LibraryImport(Ssl, EntryPoint = "SSL_free_buffers")] public static partial int FreeBuffers(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_session_reused")] public static partial int SessionReused(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_SESSION_is_resumable")] public static partial int SessionIsResumable(nint session);
    /// <summary>Sends close_notify (the first call); on a non-blocking socket it may want to write, and the caller may not care.</summary>
    [LibraryImport(Ssl, EntryPoint = "SSL_shutdown", SetLastError = true)] public static partial int Shutdown(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_set_shutdown")] public static partial void SetShutdown(nint ssl, int mode);
    [LibraryImport(Ssl, EntryPoint = "SSL_SESSION_free")] public static partial void SessionFree(nint session);
    [LibraryImport(Ssl, EntryPoint = "SSL_get0_peer_CA_list")] public static partial nint Get0PeerCaList(nint ssl);
    [LibraryImport(Ssl, EntryPoint = "SSL_get0_verified_chain")] public static partial nint Get0VerifiedChain(nint ssl);
}

/// <summary>The libcrypto 3 calls that go with <see cref="LibSsl"/>: certificates, keys, the trust store and the error queue.</summary>
internal static unsafe partial class LibCrypto
{
    private const string Crypto = "libcrypto.so.3";

    [LibraryImport(Crypto, EntryPoint = "d2i_X509")] public static partial nint D2iX509(nint reuse, byte** input, long length);
    [LibraryImport(Crypto, EntryPoint = "X509_free")] public static partial void X509Free(nint x509);
    [LibraryImport(Crypto, EntryPoint = "X509_STORE_add_cert")] public static partial int StoreAddCert(nint store, nint x509);
    [LibraryImport(Crypto, EntryPoint = "X509_VERIFY_PARAM_set1_ip_asc", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ParamSet1IpAsc(nint param, string ip);
    [LibraryImport(Crypto, EntryPoint = "X509_verify_cert_error_string")] public static partial nint VerifyCertErrorString(long code);
    [LibraryImport(Crypto, EntryPoint = "d2i_AutoPrivateKey")]
    public static partial nint D2iAutoPrivateKey(nint reuse, byte** input, long length);
    [LibraryImport(Crypto, EntryPoint = "EVP_PKEY_free")] public static partial void PkeyFree(nint pkey);
    [LibraryImport(Crypto, EntryPoint = "X509_STORE_CTX_get_error")] public static partial int StoreCtxGetError(nint storeCtx);
    [LibraryImport(Crypto, EntryPoint = "X509_STORE_CTX_set_error")] public static partial void StoreCtxSetError(nint storeCtx, int error);
    [LibraryImport(Crypto, EntryPoint = "X509_STORE_CTX_get_error_depth")] public static partial int StoreCtxGetErrorDepth(nint storeCtx);
    [LibraryImport(Crypto, EntryPoint = "X509_STORE_CTX_get_current_cert")]
    public static partial nint StoreCtxGetCurrentCert(nint storeCtx);
    [LibraryImport(Crypto, EntryPoint = "X509_STORE_CTX_get_ex_data")]
    public static partial nint StoreCtxGetExData(nint storeCtx, int index);
    [LibraryImport(Crypto, EntryPoint = "X509_verify_cert")] public static partial int X509VerifyCert(nint storeCtx);
    [LibraryImport(Crypto, EntryPoint = "X509_STORE_CTX_get0_untrusted")]
    public static partial nint StoreCtxGet0Untrusted(nint storeCtx);
    [LibraryImport(Crypto, EntryPoint = "i2d_X509")] public static partial int I2dX509(nint x509, byte** output);
    [LibraryImport(Crypto, EntryPoint = "OPENSSL_sk_num")] public static partial int StackNum(nint stack);
    [LibraryImport(Crypto, EntryPoint = "OPENSSL_sk_value")] public static partial nint StackValue(nint stack, int index);
    [LibraryImport(Crypto, EntryPoint = "X509_get0_serialNumber")] public static partial nint X509Get0SerialNumber(nint x509);
    [LibraryImport(Crypto, EntryPoint = "X509_get_issuer_name")] public static partial nint X509GetIssuerName(nint x509);
    [LibraryImport(Crypto, EntryPoint = "X509_NAME_get0_der")]
    public static partial int X509NameGet0Der(nint name, byte** der, nuint* length);
    [LibraryImport(Crypto, EntryPoint = "ASN1_STRING_get0_data")] public static partial byte* Asn1StringGet0Data(nint asn1String);
    [LibraryImport(Crypto, EntryPoint = "ASN1_STRING_length")] public static partial int Asn1StringLength(nint asn1String);
    [LibraryImport(Crypto, EntryPoint = "OPENSSL_sk_pop")] public static partial nint StackPop(nint stack);
    [LibraryImport(Crypto, EntryPoint = "X509_NAME_free")] public static partial void X509NameFree(nint name);
    [LibraryImport(Crypto, EntryPoint = "ERR_get_error")] public static partial ulong ErrGetError();
    [LibraryImport(Crypto, EntryPoint = "ERR_clear_error")] public static partial void ErrClearError();
    [LibraryImport(Crypto, EntryPoint = "ERR_error_string_n")]
    public static partial void ErrErrorStringN(ulong code, byte* buffer, nuint length);

    /// <summary>Every entry of this thread's error queue as one text ("error:0A000418:SSL routines::tlsv1 alert unknown ca; ..."), and
    /// empties it.</summary>
    public static string DrainErrors()
    {
        var parts = new List<string>();
        var buffer = stackalloc byte[256];
        for (ulong code; (code = ErrGetError()) != 0 && parts.Count < 8;)
        {
            ErrErrorStringN(code, buffer, 256);
            parts.Add(Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {code:x}");
        }
        ErrClearError();
        return string.Join("; ", parts);
    }
}
