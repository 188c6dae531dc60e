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
    /// Written in place: the sizes are computed first, so no sample goes through a buffer of its own.
    package mutating func addSeries(labels: [UInt8], samples: some Collection<(t: Int64, v: Double)>) {
        var bodySize = labels.count
        for (t, v) in samples {
            let size = Self.sampleSize(t, v)
            bodySize += 1 + Self.varintSize(UInt64(size)) + size
        }
        bytes.append(0x0A)  // field 1 (timeseries), length-delimited
        Varint.append(UInt64(bodySize), to: &bytes)
        bytes += labels
        for (t, v) in samples {
            bytes.append(0x12)  // field 2 (samples), length-delimited
            Varint.append(UInt64(Self.sampleSize(t, v)), to: &bytes)
            if v.bitPattern != 0 {
                bytes.append(0x09)  // field 1 (value), 64-bit
                var bits = v.bitPattern
                for _ in 0..<8 {
                    bytes.append(UInt8(truncatingIfNeeded: bits))
                    bits >>= 8
                }
            }
            if t != 0 {
                bytes.append(0x10)  // field 2 (timestamp), varint
                Varint.append(UInt64(bitPattern: t), to: &bytes)
            }
        }
        seriesCount += 1
        sampleCount += samples.count
    }

    /// The encoded size of a `Sample` (its zero fields left out).
    static func sampleSize(_ t: Int64, _ v: Double) -> Int {
        (v.bitPattern != 0 ? 9 : 0) + (t != 0 ? 1 + varintSize(UInt64(bitPattern: t)) : 0)
    }

    /// The bytes of `v` as a varint.
    static func varintSize(_ v: UInt64) -> Int { v == 0 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7 }

    /// A length-delimited field: its key (`number`, wire type 2), the length, the bytes.
    static func appendField(_ number: UInt64, bytes field: [UInt8], to out: inout [UInt8]) {
        Varint.append(number << 3 | 2, to: &out)
        Varint.append(UInt64(field.count), to: &out)
        out += field
    }
}
