import PromModel
import SeriesStorage
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
