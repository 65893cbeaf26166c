// Integration tests start real servers and load on a 2-core machine: run test classes one at a time so
// timing-sensitive runs don't starve each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
