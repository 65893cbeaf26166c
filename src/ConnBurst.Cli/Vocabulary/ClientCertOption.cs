using System.CommandLine;
using ConnBurst.Tls;

namespace ConnBurst.Cli;

/// <summary>
/// A server's <c>--client-cert [required|optional]</c> (docs/CLI.md, "Names"), one spelling for serve mqtt and serve chat: a
/// bare <c>--client-cert</c> means required, as serve chat's switch did.
/// </summary>
internal static class ClientCertOption
{
    public static Option<string> Create(ClientCertMode defaultMode, string why) => new("--client-cert")
    {
        Description = $"Client certificates from the PKI's CA: required or optional (bare: required); {why}",
        DefaultValueFactory = _ => defaultMode.Name(),
        CustomParser = r => r.Tokens.Count == 0 ? ClientCertMode.Required.Name() : r.Tokens[^1].Value,
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "required|optional",
    };
}
