/// Where and how to connect: libpq keyword/value parameters, passed to `PQconnectdbParams` as they are
/// (no hand-built connection strings, so nothing needs escaping). A URL goes in whole as an expanded `dbname`.
public struct PGConnectionConfiguration: Sendable, CustomStringConvertible {
    /// libpq connection keywords and values, in order (a later keyword overrides an earlier one).
    public var parameters: [(keyword: String, value: String)]

    /// From a `postgresql://user:password@host:port/database?sslmode=…` URL or a `key=value …` string.
    public init(url: String) {
        parameters = [("dbname", url)]
    }

    /// From parts. `sslmode` is passed through to libpq (`disable`, `prefer`, `require`, `verify-full`, …).
    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String,
        sslmode: String? = nil
    ) {
        parameters = [("host", host), ("port", String(port)), ("user", user), ("dbname", database)]
        if let password { parameters.append(("password", password)) }
        if let sslmode { parameters.append(("sslmode", sslmode)) }
    }

    /// Sets (or overrides) one libpq parameter.
    public mutating func set(_ keyword: String, _ value: String) {
        parameters.removeAll { $0.keyword == keyword && keyword != "dbname" }
        parameters.append((keyword, value))
    }

    /// A copy with one parameter set.
    public func with(_ keyword: String, _ value: String) -> PGConnectionConfiguration {
        var copy = self
        copy.set(keyword, value)
        return copy
    }

    /// The parameters with passwords (also inside a URL) masked, for logs.
    public var description: String {
        parameters.map { keyword, value in
            if keyword == "password" { return "password=***" }
            if keyword == "dbname", let schemeEnd = value.range(of: "://"), let at = value.lastIndex(of: "@"),
                let colon = value[schemeEnd.upperBound..<at].firstIndex(of: ":")
            {
                return "dbname=" + value[..<value.index(after: colon)] + "***" + value[at...]
            }
            return "\(keyword)=\(value)"
        }.joined(separator: " ")
    }
}
