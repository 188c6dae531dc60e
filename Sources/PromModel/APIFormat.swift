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
