// ConnBurst runs where servers run: Linux (/proc readers, SO_REUSEPORT, OpenSSL-backed SslStream).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// The tests name the executable's types (its version attribute, read through typeof(CliApp)).
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ConnBurst.Tests")]
