using System.Globalization;
using System.Text;
using ConnBurst.Common;

namespace ConnBurst.Load;

/// <summary>
/// The user name and password a client sends in its CONNECT (docs/CLI.md, "Per-client placeholders"): one template for
/// the run, <c>%i</c> the client's number, <c>%c</c> its client id, <c>%%</c> a percent sign; a client list's own per-client
/// values win, as they are (each is already one client's). Expanded at each connect only when the template names the
/// client, so a shared password is encoded once.
/// </summary>
internal sealed class MqttCredentials
{
    private readonly string? _userName;
    private readonly string? _password;
    private readonly ReadOnlyMemory<byte>? _sharedPassword;

    public MqttCredentials(string? userName, string? password)
    {
        _userName = userName;
        _password = password;
        if (password is not null && !password.Contains('%', StringComparison.Ordinal)) _sharedPassword = Encoding.UTF8.GetBytes(password);
    }

    public string? UserNameOf(int client, string clientId, ClientList? list) =>
        list?.UserNameOf(client) ?? (_userName is null ? null : Expand(_userName, client, clientId));

    public ReadOnlyMemory<byte>? PasswordOf(int client, string clientId, ClientList? list)
    {
        // Each return names its type: a null byte[] would become an empty (present) password, not no password.
        if (list?.PasswordOf(client) is { } own) return new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(own));
        if (_sharedPassword is { } shared) return shared;
        if (_password is null) return null;
        return new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(Expand(_password, client, clientId)));
    }

    /// <summary>The template with the client's placeholders filled in.</summary>
    public static string Expand(string template, int client, string clientId)
    {
        if (!template.Contains('%', StringComparison.Ordinal)) return template;
        var sb = new StringBuilder(template.Length + 16);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '%' || i + 1 == template.Length)
            {
                sb.Append(template[i]);
                continue;
            }
            switch (template[++i])
            {
                case 'i': sb.Append(client.ToString(CultureInfo.InvariantCulture)); break;
                case 'c': sb.Append(clientId); break;
                case '%': sb.Append('%'); break;
                default: sb.Append('%').Append(template[i]); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>The environment variable a password is read from when no file is given.</summary>
    public const string PasswordVariable = "CONNBURST_MQTT_PASSWORD";

    /// <summary>
    /// The password: the first line of <paramref name="file"/> when given, else <see cref="PasswordVariable"/>, else none;
    /// <paramref name="source"/> says which, for the results (the password itself is never written there).
    /// </summary>
    public static string? ReadPassword(string? file, out string? source)
    {
        if (file is not null)
        {
            source = $"file {Path.GetFullPath(file)}";
            try
            {
                using var reader = new StreamReader(file);
                return reader.ReadLine() is { Length: > 0 } line ? line
                    : throw new InputException($"--password-file {file}: the first line is empty");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputException($"--password-file {file}: {e.Message}");
            }
        }
        var fromEnv = Environment.GetEnvironmentVariable(PasswordVariable);
        source = string.IsNullOrEmpty(fromEnv) ? null : "$" + PasswordVariable;
        return string.IsNullOrEmpty(fromEnv) ? null : fromEnv;
    }

    /// <summary>Bytes a user name and password may take together: the CONNECT, client id included, goes out in one 512-byte
    /// buffer.</summary>
    public const int MaxBytes = 256;

    /// <summary>Throws when <paramref name="userName"/> and <paramref name="password"/> (expanded at most by a client id's
    /// length) cannot fit <see cref="MaxBytes"/>.</summary>
    public static void CheckSize(string? userName, string? password, string what)
    {
        var bytes = Encoding.UTF8.GetByteCount(userName ?? "") + Encoding.UTF8.GetByteCount(password ?? "");
        if (bytes > MaxBytes) throw new InputException($"{what}: user name and password take {bytes} bytes; at most {MaxBytes}");
    }

    /// <summary>A template's placeholders are ones <see cref="Expand"/> knows (<paramref name="what"/> names it in the error).</summary>
    public static void Check(string? template, string what)
    {
        if (template is null) return;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '%') continue;
            if (i + 1 == template.Length || template[i + 1] is not ('i' or 'c' or '%'))
                throw new InputException($"{what}: '{template}' has an unknown placeholder (use %i, %c or %%)");
            i++;
        }
    }
}
