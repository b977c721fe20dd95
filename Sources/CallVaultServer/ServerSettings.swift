import CallVaultAge
import CallVaultCore
import CallVaultSettings
import Foundation

/// Everything `callvault serve` needs: its ``Settings`` with the flags on top (defaults: ``Settings/Defaults``).
public struct ServerSettings: Sendable {
    public var host = Settings.Defaults.serveHost
    public var port = Settings.Defaults.servePort
    /// Session lifetime.
    public var sessionHours = Settings.Defaults.sessionHours
    public var tlsCert: String?
    public var tlsKey: String?
    /// Peers whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed (a TLS proxy in front).
    public var trustedProxies: [String] = []
    /// Absolute archive root: audio paths from the index are resolved under it, never from a request.
    public var archiveRoot: String
    /// For phone numbers typed into filters.
    public var defaultCountryCode = Settings.Defaults.countryCode
    /// bcrypt cost of passwords set through the web page (≥ 12 outside tests).
    public var bcryptCost: UInt8 = 12
    /// A play by an API token counts again after this long.
    public var tokenPlayWindow: Double = 3600
    /// `[serve] time_zone`: local times on the pages (beside UTC), and the zone of dates given
    /// without `tz`; a request's `tz` overrides it.
    public var timeZone = TimeZone(identifier: Settings.Defaults.serveTimeZone) ?? TimeZone(secondsFromGMT: 0)!
    /// The outcome thresholds, to explain a call's outcome.
    public var analysis = Settings.Defaults.analysis
    /// `[encryption] identity_file`'s identities: encrypted archive files are played decrypted.
    public var identities: [AgeIdentity] = []

    public init(archiveRoot: String) { self.archiveRoot = archiveRoot }

    public enum SettingsError: Error, CustomStringConvertible {
        case badListen(String)
        public var description: String {
            switch self {
            case .badListen(let s): "listen: \(s.debugDescription) is not HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)"
            }
        }
    }

    /// `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces are not implied: `:PORT` means 127.0.0.1).
    public static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw SettingsError.badListen(text) }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw SettingsError.badListen(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        if host.isEmpty { host = Substring(Settings.Defaults.serveHost) }
        guard let port = Int(portText), (0...65535).contains(port), !host.contains(where: { $0 == " " || $0 == "/" }) else {
            throw SettingsError.badListen(text)
        }
        return (String(host), port)
    }

    /// The server's part of `settings` (`[serve]`, numbers, analysis), then `--listen` on top.
    public static func from(settings: Settings, archiveRoot: String, listen: String?) throws -> ServerSettings {
        var s = ServerSettings(archiveRoot: archiveRoot)
        (s.host, s.port) = try parseListen(listen ?? settings.serve.listen)
        s.sessionHours = settings.serve.sessionHours
        s.tlsCert = settings.serve.tlsCert
        s.tlsKey = settings.serve.tlsKey
        s.trustedProxies = settings.serve.trustedProxies
        if let zone = TimeZone(identifier: settings.serve.timeZone) { s.timeZone = zone }
        s.defaultCountryCode = settings.countryCode
        s.analysis = settings.analysis
        return s
    }
}
