import PromModel
import PromQL
import SeriesStorage
import PromText
import RuleEngine

/// The metric families `ctlmon check` reads, derived from what reads them: the rules'
/// selectors, the report's own queries (``CheckReport/Query``) and the two families the
/// snapshot reads directly. The parser's family filter and the "is this a control-plane
/// scrape?" test both come from here, so a new rule or report query needs no list updated.
package enum CheckFamilies {
    /// Read by the snapshot itself (the process start for the one-shot window, the version
    /// for the report), and `up` (the down alerts read scrape health). Every Go program or
    /// Kubernetes component exposes them, or any scraper writes them, so a sample of these
    /// alone does not make a scrape a control-plane scrape.
    package static let generic: Set<String> = ["process_start_time_seconds", "kubernetes_build_info", "up"]

    /// The metric names the report's queries select.
    package static let report: Set<String> = {
        var names: Set<String> = []
        for text in CheckReport.Query.all {
            // The report's queries are constants: one that does not parse is a bug the tests catch.
            guard let expr = try? PromQLParser.parse(text) else { continue }
            names.formUnion(selectedNames([expr]) ?? [])
        }
        return names
    }()

    /// The metric names `exprs` select; nil when a selector has no metric name.
    package static func selectedNames(_ exprs: [Expr]) -> Set<String>? { Expr.selectedNames(exprs) }

    /// The names the rules of `groups` select (nil: some selector has no metric name).
    package static func ruleNames(_ groups: [RuleGroup]) -> Set<String>? { RuleGroup.selectedNames(groups) }

    /// The parser's filter for `check` with these rules: what the rules, the report and the
    /// snapshot read; nil (keep everything) when a rule reads every family.
    package static func filter(for groups: [RuleGroup]) -> FamilyFilter? {
        ruleNames(groups).map { FamilyFilter(names: Array($0.union(report).union(generic)).sorted()) }
    }

    /// Whether a kept sample's metric name shows the source is what the rules are about:
    /// a family the rules or the report read, other than the generic ones.
    package static func identifying(_ groups: [RuleGroup]) -> (String) -> Bool {
        let read = ruleNames(groups).map { $0.union(report) }
        return { name in !generic.contains(name) && (read?.contains(name) ?? true) }
    }

    /// The filter of `check` with the shipped rules (the benchmark's family-filtered path).
    package static let shipped: FamilyFilter? = filter(for: ShippedRules.groups)
}
