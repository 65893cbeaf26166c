using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ConnBurst.Tls;

/// <summary>
/// Sets OpenSSL's SSL_MODE_RELEASE_BUFFERS on an authenticated SslStream, so an idle connection does not keep OpenSSL's
/// record buffers (about 34 KB: 16.7 KB read + 16.7 KB write) once they are drained. .NET leaves the mode at AUTO_RETRY only;
/// bench/server-memory.sh measured RSS per idle server connection before and after (docs/DECISIONS.md "Tls: OpenSSL record
/// buffers are released when idle"). SslStream does not expose its SSL*, so this reads the private field that holds it;
/// when the runtime's shape or OpenSSL's major version is not what was measured, it does nothing (and says so once).
/// </summary>
internal static class OpenSslBuffers
{
    private static readonly (FieldInfo? Field, string? Reason) Probed = Probe();
    private static readonly FieldInfo? ContextField = Probed.Field;

    /// <summary>Null when available, else why not (servers print it once at start).</summary>
    public static string? Unavailable => Probed.Reason;

    /// <summary>Asks OpenSSL to free the stream's record buffers whenever they are empty. Returns false when not possible.</summary>
    public static bool ReleaseWhenIdle(SslStream stream)
    {
        if (ContextField?.GetValue(stream) is not SafeHandle ssl || ssl.IsInvalid || ssl.IsClosed) return false;
        var added = false;
        try
        {
            ssl.DangerousAddRef(ref added);
            return (Interop.LibSsl.Ctrl(ssl.DangerousGetHandle(), Interop.LibSsl.CtrlMode, Interop.LibSsl.ModeReleaseBuffers, 0)
                & Interop.LibSsl.ModeReleaseBuffers) != 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added) ssl.DangerousRelease();
        }
    }

    private static (FieldInfo?, string?) Probe()
    {
        if (!OperatingSystem.IsLinux()) return (null, "not Linux");
        try
        {
            // The libssl we P/Invoke must be the one .NET uses: both are OpenSSL 3 here (SafeEvpPKeyHandle reports the runtime's).
            if ((SafeEvpPKeyHandle.OpenSslVersion >> 28) != 3) return (null, "OpenSSL is not version 3");
            if (!NativeLibrary.TryLoad("libssl.so.3", out _)) return (null, "libssl.so.3 not found");
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return (null, e.Message);
        }
        var field = typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance);
        if (field is null || !typeof(SafeHandle).IsAssignableFrom(field.FieldType))
            return (null, "this .NET's SslStream does not hold its SSL* where expected");
        return (field, null);
    }
}
