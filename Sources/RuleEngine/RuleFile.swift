import ConfigYAML
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage

/// A Prometheus rule file: `groups:` of recording and alerting rules.
///
/// The same files load into Prometheus, Thanos, Mimir or vmalert. Loading checks
/// what `promtool check rules` checks and names file and line for every problem.
package struct RuleFile: Sendable {
    /// The file as given; also each group's ``RuleGroup/file``.
    package var path: String
    /// The groups in file order (names are unique within the file).
    package var groups: [RuleGroup]
    /// Rules defined twice in a group (same name, same labels): `file:line: …` each. Prometheus
    /// loads and runs both, and so does ctlmon; `rules check` says so, as promtool's lint does.
    package var duplicates: [String] = []

    /// Rules in all groups: the `N rules found` that `promtool check rules` prints.
    package var ruleCount: Int { groups.reduce(0) { $0 + $1.rules.count } }

    /// Loads and validates a rule file from disk.
    package static func load(path: String) throws(ConfigFileError) -> RuleFile {
        try parse(try StrictYAML.read(path: path), path: path)
    }

    /// Parses and validates rule-file YAML; every problem is collected with its line.
    package static func parse(_ text: String, path: String) throws(ConfigFileError) -> RuleFile {
        let root = try StrictYAML.compose(text, path: path)
        var loader = RuleFileLoader(yaml: StrictYAML(path: path))
        var file = loader.file(root)
        if !loader.yaml.problems.isEmpty { throw ConfigFileError(path, loader.yaml.problems) }
        file.duplicates = loader.duplicates
        return file
    }
}
