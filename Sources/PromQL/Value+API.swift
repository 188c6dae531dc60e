/// How Prometheus's HTTP API writes times and sample values.
package enum APIFormat {
    /// A sample value as the API writes it (`strconv.FormatFloat(v, 'f', -1, 64)`):
    /// `0.25`, `1000000`, `NaN`, `+Inf`, `-Inf`.
    package static func value(_ v: Double) -> String { GoFloat.formatFixed(v) }

    /// A time in milliseconds as the API writes it (`jsonutil.MarshalTimestamp`): seconds,
    /// and the milliseconds as three digits when there are any (`1435781451.781`, `12.050`).
    package static func time(_ t: Int64) -> String {
        let sign = t < 0 ? "-" : ""
        let m = t.magnitude
        let fraction = m % 1000
        guard fraction != 0 else { return sign + String(m / 1000) }
        let digits = String(fraction)
        return sign + String(m / 1000) + "." + String(repeating: "0", count: 3 - digits.count) + digits
    }
}

extension Value {
    /// The `data` object of a Prometheus HTTP API query response:
    /// `{"resultType":"vector","result":[{"metric":{…},"value":[1435781451.781,"1"]}]}`.
    /// Series are written in label order.
    package var apiJSON: String {
        var w = JSONWriter()
        w.beginObject()
        w.value("resultType", type == .vector ? "vector" : type == .matrix ? "matrix" : type.rawValue)
        func metric(_ l: Labels) {
            w.beginObject("metric")
            for label in l.labels { w.value(label.name, label.value) }
            w.endObject()
        }
        func pair(_ key: String?, _ t: Int64, _ v: String) {
            w.beginArray(key)
            w.raw(APIFormat.time(t))
            w.value(nil, v)
            w.endArray()
        }
        switch self {
        case .scalar(let v, let t):
            pair("result", t, APIFormat.value(v))
        case .string(let s, let t):
            pair("result", t, s)
        case .vector(let samples):
            w.beginArray("result")
            for s in samples.sorted(by: { $0.labels < $1.labels }) {
                w.beginObject()
                metric(s.labels)
                pair("value", s.timestamp, APIFormat.value(s.value))
                w.endObject()
            }
            w.endArray()
        case .matrix(let series):
            w.beginArray("result")
            for s in series.sorted(by: { $0.labels < $1.labels }) {
                w.beginObject()
                metric(s.labels)
                w.beginArray("values")
                for p in s.points { pair(nil, p.t, APIFormat.value(p.v)) }
                w.endArray()
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        return w.output
    }
}
