/// Remote write 1.0's body before compression: the protobuf message `prometheus.WriteRequest`
/// of Prometheus's `prompb/remote.proto`, written by hand for the four messages it needs
/// (no generated code, no Foundation):
///
///     message WriteRequest { repeated TimeSeries timeseries = 1; }
///     message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
///     message Label        { string name = 1; string value = 2; }
///     message Sample       { double value = 1; int64 timestamp = 2; }
///
/// Fields at their zero value are left out, as Go's encoder does (a `-0.0` value is kept:
/// its bits are not zero). Metadata (field 3) is not sent.
package struct WriteRequest {
    /// The message so far.
    package private(set) var bytes: [UInt8] = []
    /// Series added.
    package private(set) var seriesCount = 0
    /// Samples added.
    package private(set) var sampleCount = 0

    /// An empty request.
    package init() {}

    /// The `labels` fields of a `TimeSeries` for `labels` (already sorted by name, as remote
    /// write requires): encoded once per series and reused for each request.
    package static func encodeLabels(_ labels: [(name: String, value: String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (n, v) in labels {
            let name = Array(n.utf8), value = Array(v.utf8)
            var label: [UInt8] = []
            appendField(1, bytes: name, to: &label)
            appendField(2, bytes: value, to: &label)
            appendField(1, bytes: label, to: &out)
        }
        return out
    }

    /// Adds one `TimeSeries`: its encoded labels (``encodeLabels(_:)``) and its samples in time order.
    package mutating func addSeries(labels: [UInt8], samples: some Collection<(t: Int64, v: Double)>) {
        var body = labels
        for (t, v) in samples {
            var sample: [UInt8] = []
            if v.bitPattern != 0 {
                sample.append(0x09)  // field 1, 64-bit
                var bits = v.bitPattern
                for _ in 0..<8 {
                    sample.append(UInt8(truncatingIfNeeded: bits))
                    bits >>= 8
                }
            }
            if t != 0 {
                sample.append(0x10)  // field 2, varint
                Self.appendVarint(UInt64(bitPattern: t), to: &sample)
            }
            Self.appendField(2, bytes: sample, to: &body)
        }
        Self.appendField(1, bytes: body, to: &bytes)
        seriesCount += 1
        sampleCount += samples.count
    }

    /// A length-delimited field: its key (`number`, wire type 2), the length, the bytes.
    static func appendField(_ number: UInt64, bytes field: [UInt8], to out: inout [UInt8]) {
        appendVarint(number << 3 | 2, to: &out)
        appendVarint(UInt64(field.count), to: &out)
        out += field
    }

    /// Protobuf's base-128 varint, least significant group first.
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
