namespace ConnBurst.Common;

/// <summary>
/// Bad usage or bad input: a missing file, a bad certificate, a malformed list, an unreachable host named on
/// the command line. The CLI prints <see cref="Exception.Message"/> as one line and exits 2, with no stack trace.
/// Throw it at the edge (option validation, file loading), never from a hot path.
/// </summary>
internal sealed class InputException(string message, Exception? inner = null) : Exception(message, inner);
