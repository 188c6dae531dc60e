/// Receives what the parser finds, one call per sample or metadata line.
///
/// Calls come synchronously from ``TextParser/feed(_:)`` and ``TextParser/finish()``.
public protocol SampleConsumer: AnyObject {
    /// One sample of a wanted family. The view is valid only during the call.
    func consume(_ sample: SampleView)
    /// One `# HELP`, `# TYPE` or `# UNIT` line. Default: ignored.
    func consumeMetadata(_ metadata: MetadataView)
}

extension SampleConsumer {
    /// Ignores metadata: consumers that only want samples need not implement it.
    public func consumeMetadata(_ metadata: MetadataView) {}
}
