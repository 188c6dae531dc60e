import ConfigYAML
extension ShippedRules {
    /// The shipped rule groups, parsed, as `Rules/NAME` paths. The files are checked by the
    /// test suite (`promtool check rules` and ctlmon's own loader), so none fails to parse;
    /// one that did would be left out here and reported by `loadGroups()`.
    package static let groups: [RuleGroup] = (try? loadGroups()) ?? []

    /// Parses the shipped files; the first file with a problem throws.
    package static func loadGroups() throws(ConfigFileError) -> [RuleGroup] {
        var groups: [RuleGroup] = []
        for (name, yaml) in files { groups += try RuleFile.parse(yaml, path: "Rules/" + name).groups }
        return groups
    }
}
