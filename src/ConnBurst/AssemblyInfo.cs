// ConnBurst runs where servers run: Linux (/proc readers, SO_REUSEPORT, OpenSSL-backed SslStream).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
