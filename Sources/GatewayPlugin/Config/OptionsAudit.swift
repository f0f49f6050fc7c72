/// What a plugin did with its options: the record that holds a plugin to its declared
/// ``OptionSpec``s, so the declaration (and the help and README generated from it) cannot
/// drift from the code that reads the options.
///
/// One audit is shared by a reader and the readers of its nested maps, so keys are recorded
/// with their path (`reconnect.initial`). A test drives a plugin with every declared key set,
/// then requires ``drift`` to be empty and every declared key to be in ``askedKeys``.
public final class OptionsAudit {
    /// Every key the plugin asked for, nested ones as `parent.key`.
    public private(set) var askedKeys: Set<String> = []
    /// The maps whose keys the plugin took as data with ``OptionsReader/entries()``: `""` for
    /// its options themselves, `types` for a nested map.
    public private(set) var wholeMaps: Set<String> = []
    /// Each read that disagrees with the declaration, as a sentence: a key read but not
    /// declared, or read as another type, with another default, range, minimum or choices.
    /// Only reads of a reader with declared options are checked.
    public private(set) var drift: [String] = []

    init() {}

    func asked(_ path: String) { askedKeys.insert(path) }

    func tookWhole(_ path: String) { wholeMaps.insert(path) }

    func drifted(_ sentence: String) {
        if !drift.contains(sentence) { drift.append(sentence) }
    }
}
