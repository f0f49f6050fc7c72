import GatewayPlugin

/// A plugin's declared options as a table: plain text for `gateway plugins NAME`, Markdown for
/// the README (`gateway plugins --markdown NAME`, which `scripts/plugin-tables` writes into
/// README.md and the tests compare with it).
///
/// A map of options (`reconnect`) is listed as its own options with dotted keys
/// (`reconnect.initial`), as users write them in prose.
struct OptionTable {
    let rows: [OptionSpec]

    init(_ options: [OptionSpec]) {
        rows = options.flatMap(\.rows)
    }

    /// `| option | type | default | meaning |`, the README's format: type and allowed values
    /// share a cell (`duration ≥ 10ms`, `` `GET`, `POST` ``).
    var markdown: String {
        var lines = ["| option | type | default | meaning |", "| --- | --- | --- | --- |"]
        for row in rows {
            let cells = ["`\(row.key)`", Self.markdownType(row.type), row.default.markdown, row.doc]
            lines.append("| " + cells.map(Self.escapingPipes).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Columns aligned with spaces: option, type, default, allowed values, description. Markdown
    /// marks are dropped (a terminal shows backticks as they are).
    var text: String {
        let header = ["OPTION", "TYPE", "DEFAULT", "ALLOWED", "DESCRIPTION"]
        let body = rows.map { row in
            [row.key, row.type.name, Self.plain(row.default.markdown), row.type.allowed, Self.plain(row.doc)]
        }
        let widths = (0..<header.count - 1).map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        return ([header] + body).map { cells in
            var line = ""
            for (column, cell) in cells.enumerated() {
                line += column < widths.count ? cell + String(repeating: " ", count: widths[column] - cell.count + 2) : cell
            }
            return line
        }.joined(separator: "\n") + "\n"
    }

    private static func markdownType(_ type: OptionType) -> String {
        switch type {
        case .choice(let words):
            return words.map { "`\($0)`" }.joined(separator: ", ")
        default:
            return type.allowed.isEmpty ? type.name : "\(type.name) \(type.allowed)"
        }
    }

    /// A cell's `|` would end it early.
    private static func escapingPipes(_ cell: String) -> String {
        cell.replacing("|", with: "\\|")
    }

    /// Markdown as a terminal should show it: no backticks, no bold.
    static func plain(_ markdown: String) -> String {
        markdown.replacing("`", with: "").replacing("**", with: "")
    }
}
