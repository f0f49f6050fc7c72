/// The `Retry-After` of a `429` or `503` (RFC 9110 §10.2.3): how long the API asks to be left
/// alone before the next poll.
enum RetryAfter {
    /// The longest wait honoured: a header that asks for more (a mistake, or a date far ahead)
    /// still lets the source try again within the hour.
    static let longest: Duration = .seconds(3600)

    /// The wait `value` asks for, `seconds` being the time now (seconds since 1970): a number of
    /// seconds, or an HTTP-date (IMF-fixdate, RFC 850 or asctime, as RFC 9110 requires a
    /// recipient to accept). A date already past is no wait; `nil` when `value` is neither.
    static func delay(_ value: String, now seconds: Double) -> Duration? {
        let text = value.trimmingASCIISpaces
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let number = Int(text) else { return longest }  // more digits than an Int: far away
            return min(.seconds(number), longest)
        }
        guard let date = httpDate(text) else { return nil }
        let wait = max(0, date - seconds)
        return min(.milliseconds(Int64(wait * 1000)), longest)
    }

    /// Seconds since 1970 of an HTTP-date, in any of its three forms:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`.
    static func httpDate(_ text: String) -> Double? {
        let tokens = text.split(separator: " ")
        let day: Substring, month: Substring, year: Substring, time: Substring
        switch tokens.count {
        case 6 where tokens[0].hasSuffix(",") && tokens[5] == "GMT":
            (day, month, year, time) = (tokens[1], tokens[2], tokens[3], tokens[4])
        case 4 where tokens[0].hasSuffix(",") && tokens[3] == "GMT":
            let parts = tokens[1].split(separator: "-")
            guard parts.count == 3 else { return nil }
            (day, month, year, time) = (parts[0], parts[1], parts[2], tokens[2])
        case 5:
            (day, month, year, time) = (tokens[2], tokens[1], tokens[4], tokens[3])
        default:
            return nil
        }
        let clock = time.split(separator: ":")
        guard let dayNumber = Int(day), (1...31).contains(dayNumber),
            let monthNumber = months.firstIndex(of: month.lowercased()).map({ $0 + 1 }),
            var yearNumber = Int(year), clock.count == 3,
            let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        // RFC 850's two-digit years (RFC 9110: read as the nearest century that is not too far ahead).
        if year.count == 2 { yearNumber += yearNumber < 70 ? 2000 : 1900 }
        let days = daysSince1970(year: yearNumber, month: monthNumber, day: dayNumber)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        // Counted from March, so the leap day is the last of its year.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    fileprivate var trimmingASCIISpaces: String {
        let bytes = utf8.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        return String(decoding: Array(bytes), as: UTF8.self)
    }
}
