import PromModel
import PromQL
import SeriesStorage
import RuleEngine

extension OneShot {
    /// How far back, and how densely, the history of each metric must reach for a set of
    /// expressions (the rules and the report's queries): per metric name, the longest range
    /// (plus offsets, plus the ranges of enclosing subqueries) and a spacing of half the
    /// shortest range, so every window of every range holds at least two points and a
    /// straight line gives its exact rate. A metric read by no range needs one point, now.
    package struct Reach: Sendable {
        /// One kind of history: how far back, and how densely.
        package struct Need: Sendable, Equatable {
            /// How far back the history reaches (milliseconds).
            package var window: Int64
            /// The spacing of its points (milliseconds): half the shortest range that reads it, within
            /// 15 s to 1 h, in whole seconds.
            package var step: Int64
        }

        /// The distinct needs; series refer to them by index.
        package private(set) var needs: [Need] = []
        private var byName: [[UInt8]: Int16] = [:]
        /// For selectors without a metric name: every series.
        private var everySeries: Int16 = -1

        /// No expressions: every series gets one point, now (``SnapshotCollector``'s default).
        package init() {}

        /// `recorded`: names written by recording rules, which need no synthetic history.
        package init(_ exprs: [Expr], recorded: Set<String> = []) {
            var windows: [String: (window: Int64, step: Int64)] = [:]
            var unnamed: (window: Int64, step: Int64)? = nil
            for reach in exprs.flatMap(\.selectorReaches) {
                let s = reach.selector
                if let n = s.name, recorded.contains(n) { continue }
                // A range needs points at half its length; an instant selector inside a subquery
                // is read at every subquery step: a point within the lookback of each is enough.
                let step = reach.range.map { $0 / 2 } ?? (reach.inSubquery ? 150_000 : Int64.max)
                if let n = s.name {
                    let old = windows[n] ?? (0, Int64.max)
                    windows[n] = (max(old.window, reach.back), min(old.step, step))
                } else {
                    let old = unnamed ?? (0, Int64.max)
                    unnamed = (max(old.window, reach.back), min(old.step, step))
                }
            }
            func index(_ w: (window: Int64, step: Int64)) -> Int16 {
                guard w.window > 0 else { return -1 }
                let need = Need(window: w.window, step: max(15_000, min(w.step == .max ? 60_000 : w.step, 3_600_000) / 1000 * 1000))
                if let i = needs.firstIndex(of: need) { return Int16(i) }
                needs.append(need)
                return Int16(needs.count - 1)
            }
            for (name, w) in windows { byName[Array(name.utf8)] = index(w) }
            if let unnamed { everySeries = index(unnamed) }
        }

        /// The reach of rule groups' expressions and some more (a report's queries).
        package init(groups: [RuleGroup], extra: [Expr] = []) {
            let recorded = Set(groups.flatMap { $0.rules.filter { $0.kind == .recording }.map(\.name) })
            self.init(groups.flatMap { $0.rules.map(\.expr) } + extra, recorded: recorded)
        }

        /// The need of a series with this metric name (-1: one point, now).
        package func need(for name: [UInt8]) -> Int16 {
            let own = byName[name] ?? -1
            guard everySeries >= 0 else { return own }
            guard own >= 0 else { return everySeries }
            // Both apply: the wider window, the denser points.
            let a = needs[Int(own)]
            let b = needs[Int(everySeries)]
            return a.window >= b.window && a.step <= b.step ? own : everySeries
        }
    }
}
