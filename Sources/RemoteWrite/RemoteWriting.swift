import HTTPClient
import PromModel
import SeriesStorage

/// Every `remote_write` destination of a sidecar: one buffer and one sender each, fed by the
/// store's ``SampleTap``. The labels sent are the series' own, plus the `external_labels` it
/// lacks, after the destination's `write_relabel_configs` — as Prometheus sends them.
package final class RemoteWriting: SampleTap, Sendable {
    /// The senders, in config order.
    package let queues: [RemoteWriteQueue]

    /// Opens each destination's buffer under `folder/<name>` (at most `maxBytes` each), with
    /// `signers` per destination name (SigV4). Nothing is sent before ``start()``.
    package init(
        configs: [RemoteWriteConfig], externalLabels: [String: String], folder: String, maxBytes: Int,
        signers: [String: @Sendable (inout HTTPRequest, [UInt8]) throws -> Void] = [:],
        report: @escaping @Sendable (String) -> Void
    ) throws(SystemFile.Failure) {
        var queues: [RemoteWriteQueue] = []
        let external = externalLabels.map { (name: $0.key, value: $0.value) }
        for c in configs {
            let steps = c.writeRelabel
            let log = try SampleLog(folder: folder + "/" + c.name, maxBytes: maxBytes) { labels in
                Self.resolve(labels, external: external, steps: steps)
            }
            queues.append(RemoteWriteQueue(config: c, log: log, signer: signers[c.name], report: report))
        }
        self.queues = queues
    }

    /// A series' labels as sent: its own, the external labels it lacks, sorted by name, then
    /// relabeled; nil when dropped (or left without a label).
    static func resolve(_ labels: Labels, external: [(name: String, value: String)], steps: [WriteRelabel]) -> [(name: String, value: String)]? {
        var pairs = labels.labels.map { (name: $0.name, value: $0.value) }
        for e in external where !pairs.contains(where: { $0.name == e.name }) { pairs.append(e) }
        pairs.sort { $0.name < $1.name }
        guard let out = WriteRelabel.apply(steps, to: pairs), !out.isEmpty else { return nil }
        return out
    }

    /// Writes each store write to every destination's buffer.
    package func received(_ samples: [TappedSample]) {
        for q in queues { q.log.received(samples) }
    }

    /// Starts every sender.
    package func start() { for q in queues { q.start() } }

    /// Stops every sender (a request in flight is aborted) and seals the buffers: what the
    /// receivers have not confirmed is sent by the next run.
    package func stop() {
        for q in queues { q.stop() }
        for q in queues { q.log.close() }
    }
}
