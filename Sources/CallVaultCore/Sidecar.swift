import Foundation

/// The JSON file a phone switch writes beside each recording, parsed and checked.
///
/// ```json
/// {"tracking_number": "+1 415 555 0100", "started_at": "2026-11-28T14:03:00Z",
///  "call_id": "1732802580.42", "caller": "(212) 555-0187", "disposition": "ANSWERED",
///  "channels": ["caller", "agent"], "metadata": {"queue": "sales"}}
/// ```
/// Unknown fields are kept (``extra``). Every limit is enforced with an error naming the field.
public struct Sidecar: Sendable, Equatable {
    public var trackingNumber: String
    public var startedAt: Date
    public var callID: String?
    public var caller: String?
    public var callerName: String?
    public var disposition: String?
    public var durationSeconds: Double?
    public var channels: [String]?
    public var metadata: [String: String]
    /// Fields callvault does not know, kept as they were written.
    public var extra: [String: JSONValue]
    /// `direction`: `inbound` (the default: a caller dialled a tracking number) or `outbound` (the
    /// business dialled out, e.g. a web call-back). An outbound call names the number dialled in
    /// `callee`; its `tracking_number` (the caller ID presented) is optional and then "".
    public var direction: Direction = .inbound
    /// The number an outbound call dialled, as written.
    public var callee: String? = nil
    /// `callback_request_id`: the web call-back request an outbound call answers, when the dialler knows it.
    public var callbackRequestID: String? = nil

    public enum Direction: String, Sendable, Equatable, Codable {
        case inbound, outbound
    }
    /// `redact`: stretches the switch asks to be silenced on every channel (an agent's pause/resume),
    /// checked here (whole milliseconds, `end_ms` after `start_ms`); clamped to the recording when encoded.
    public var redact: [Interval] = []
    /// The fields whose value held a payment card number (``PaymentCardNumber``) and was replaced
    /// by `[redacted-pan]` while parsing (`caller_name`, `metadata.note`, `vendor.notes[2]`); the
    /// digits are gone before anything else sees the sidecar. A `call_id` holding one is dropped.
    public var redactedFields: [String] = []

    public enum Limits {
        public static let fileBytes = 1 << 20
        public static let fieldCharacters = 256
        public static let metadataEntries = 256
        public static let metadataValueCharacters = 4096
        public static let channels = 255
        public static let depth = 16
        public static let redactSpans = 1000
    }

    static let known: Set<String> = ["tracking_number", "started_at", "call_id", "caller", "caller_name",
                                     "disposition", "duration_s", "channels", "metadata",
                                     "direction", "callee", "callback_request_id", "redact"]

    /// Parses sidecar bytes; throws ``SidecarError`` with one readable sentence.
    ///
    /// One `Decodable` pass (``Fields``) checks every known field and keeps the unknown ones as
    /// ``JSONValue``; the size and depth limits are checked before, duplicate keys after.
    public static func parse(_ data: Data) throws -> Sidecar {
        guard data.count <= Limits.fileBytes else {
            throw SidecarError("sidecar is \(data.count) bytes, more than the \(Limits.fileBytes)-byte limit")
        }
        guard Self.depth(of: data) <= Limits.depth else {
            throw SidecarError("sidecar JSON is nested deeper than \(Limits.depth) levels")
        }
        let sidecar: Sidecar
        do {
            sidecar = try JSONDecoder().decode(Fields.self, from: data).sidecar
        } catch let error as SidecarError {
            throw error
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw SidecarError("sidecar must be a JSON object")
        } catch {
            throw SidecarError("sidecar is not valid JSON (\(Self.describe(error)))")
        }
        if let duplicate = duplicateKey(in: data) {
            throw SidecarError("sidecar has the key \(duplicate.debugDescription) twice (perhaps in two Unicode forms of the same text); which one is meant is unclear")
        }
        return sidecar
    }

    /// The decoding pass: each known key checked with an error naming it, the rest kept in `extra`.
    private struct Fields: Decodable {
        var sidecar: Sidecar

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            var redacted: [String] = []
            func has(_ key: String) throws -> Bool {
                let k = AnyCodingKey(key)
                return c.contains(k) ? !(try c.decodeNil(forKey: k)) : false
            }
            func string(_ key: String, required: Bool = false) throws -> String? {
                let k = AnyCodingKey(key)
                guard try has(key) else {
                    if required { throw SidecarError("sidecar lacks the required field \(key)") }
                    return nil
                }
                let text: String
                if let s = try? c.decode(String.self, forKey: k) { text = s }
                else if key != "started_at", let i = try? c.decode(Int.self, forKey: k) { text = String(i) }
                else if key != "started_at", (try? c.decode(Double.self, forKey: k)) != nil {
                    // A number with a fraction (an Asterisk uniqueid 1764338400.110) is read through a
                    // Double, which drops digits: two calls could get one id. Quoted, it stays exact.
                    throw SidecarError("sidecar field \(key) is a number with a fraction; write it as a string (in quotes) so no digit is lost")
                }
                else { throw SidecarError("sidecar field \(key) must be a string") }
                guard text.count <= Limits.fieldCharacters else {
                    throw SidecarError("sidecar field \(key) is longer than \(Limits.fieldCharacters) characters")
                }
                if required && text.trimmedWhitespace.isEmpty { throw SidecarError("sidecar field \(key) is empty") }
                if PaymentCardNumber.isContained(in: text) {
                    redacted.append(key)
                    return PaymentCardNumber.replacement
                }
                return text
            }

            var direction = Direction.inbound
            if let text = try string("direction") {
                guard let d = Direction(rawValue: text) else {
                    throw SidecarError("sidecar field direction must be inbound or outbound (\(text.debugDescription))")
                }
                direction = d
            }
            let callee = try string("callee").flatMap { $0.trimmedWhitespace.isEmpty ? nil : $0 }
            if direction == .outbound && callee == nil {
                throw SidecarError("sidecar field callee is required when direction is outbound (the number dialled)")
            }
            let tracking: String
            if direction == .outbound {
                // The caller ID presented, when the switch gives it; an outbound call is not to a tracking number.
                tracking = try string("tracking_number").flatMap { $0.trimmedWhitespace.isEmpty ? nil : $0 } ?? ""
            } else {
                guard let t = try string("tracking_number", required: true) else { throw SidecarError("sidecar lacks the required field tracking_number") }
                tracking = t
            }
            let startedText = try string("started_at", required: true)!
            guard let started = Timestamp.parseInstant(startedText) else {
                throw SidecarError("sidecar field started_at is not an ISO 8601 time with an offset or Z, on a date that exists, with an offset within ±18:00 (\(startedText.debugDescription); e.g. 2026-11-28T14:03:00Z)")
            }
            var duration: Double?
            if try has("duration_s") {
                guard let n = try? c.decode(Double.self, forKey: AnyCodingKey("duration_s")), n >= 0, n < 86400 * 7 else {
                    throw SidecarError("sidecar field duration_s must be a number of seconds between 0 and 604800")
                }
                duration = n
            }
            var channels: [String]?
            if try has("channels") {
                guard let list = try? c.decode([String].self, forKey: AnyCodingKey("channels")), list.count <= Limits.channels,
                      list.allSatisfy({ $0.count <= Limits.fieldCharacters }) else {
                    throw SidecarError("sidecar field channels must be a list of role names such as [\"caller\", \"agent\"]")
                }
                channels = list
            }
            var metadata: [String: String] = [:]
            if try has("metadata") {
                guard let map = try? c.decode([String: JSONValue].self, forKey: AnyCodingKey("metadata")) else {
                    throw SidecarError("sidecar field metadata must be an object of strings")
                }
                guard map.count <= Limits.metadataEntries else {
                    throw SidecarError("sidecar metadata has \(map.count) entries, more than \(Limits.metadataEntries)")
                }
                for (k, v) in map {
                    guard case .string(let s) = v else { throw SidecarError("sidecar metadata value \(k.debugDescription) must be a string") }
                    guard s.count <= Limits.metadataValueCharacters, k.count <= Limits.fieldCharacters else {
                        throw SidecarError("sidecar metadata entry \(String(k.prefix(40)).debugDescription) is too long")
                    }
                    if PaymentCardNumber.isContained(in: s) {
                        redacted.append("metadata.\(k)")
                        metadata[k] = PaymentCardNumber.replacement
                    } else {
                        metadata[k] = s
                    }
                }
            }
            var extra: [String: JSONValue] = [:]
            for key in c.allKeys where !known.contains(key.stringValue) {
                extra[key.stringValue] = PaymentCardNumber.redacted(
                    try c.decode(JSONValue.self, forKey: key), path: key.stringValue, replaced: &redacted)
            }
            let redact = try has("redact") ? try Self.spans(try? c.decode([JSONValue].self, forKey: AnyCodingKey("redact"))) : []
            let callID = try string("call_id")
            sidecar = Sidecar(
                trackingNumber: tracking, startedAt: started,
                // A call_id that held a card number is dropped (the stem names the call), not kept as
                // "[redacted-pan]": every such call would get the same archive id.
                callID: callID.flatMap { $0.trimmedWhitespace.isEmpty || redacted.contains("call_id") ? nil : $0 },
                caller: try string("caller"), callerName: try string("caller_name"), disposition: try string("disposition"),
                durationSeconds: duration, channels: channels, metadata: metadata, extra: extra,
                direction: direction, callee: callee,
                callbackRequestID: try string("callback_request_id").flatMap { $0.trimmedWhitespace.isEmpty ? nil : $0 },
                redact: redact)
            sidecar.redactedFields = redacted.sorted()
        }

        /// `redact`: a list of `{"start_ms": 1200, "end_ms": 4500}`, whole non-negative milliseconds.
        static func spans(_ list: [JSONValue]?) throws -> [Interval] {
            guard let list else {
                throw SidecarError("sidecar field redact must be a list of spans such as [{\"start_ms\": 1200, \"end_ms\": 4500}]")
            }
            guard list.count <= Limits.redactSpans else {
                throw SidecarError("sidecar field redact has \(list.count) spans, more than \(Limits.redactSpans)")
            }
            return try list.enumerated().map { i, item in
                guard case .object(let span) = item else {
                    throw SidecarError("sidecar field redact[\(i)] must be an object with start_ms and end_ms")
                }
                func ms(_ key: String) throws -> Int {
                    guard case .int(let v)? = span[key] else {
                        throw SidecarError("sidecar field redact[\(i)] needs \(key) as a whole number of milliseconds")
                    }
                    guard v >= 0, v <= 7 * 86_400_000 else {
                        throw SidecarError("sidecar field redact[\(i)]: \(key) \(v) is not between 0 and 604800000 ms")
                    }
                    return v
                }
                let start = try ms("start_ms"), end = try ms("end_ms")
                guard end > start else {
                    throw SidecarError("sidecar field redact[\(i)]: end_ms \(end) is not after start_ms \(start)")
                }
                return Interval(startMs: start, endMs: end)
            }
        }
    }

    /// The earliest `started_at` accepted, and how far ahead of the clock: a switch whose clock is unset
    /// (`1970-01-01T00:00:05Z`) or wrong by years would otherwise have its recording archived and then
    /// deleted by the next retention run, or kept for decades.
    public struct PlausibleTimes: Sendable, Equatable {
        public var earliest: Date
        public var maxDaysAhead: Int
        /// The defaults are `Settings.Defaults.plausibleTimes`; `[queue]` overrides them.
        public init(earliest: Date, maxDaysAhead: Int) {
            self.earliest = earliest
            self.maxDaysAhead = maxDaysAhead
        }

        /// Nil when `startedAt` is plausible at `now`, else the reason to quarantine.
        public func problem(with startedAt: Date, now: Date) -> String? {
            if startedAt < earliest {
                return "sidecar field started_at \(Timestamp.format(startedAt)) is before \(Timestamp.format(earliest)): the switch's clock is probably unset; fix the time in the sidecar and put the pair back in incoming/"
            }
            let latest = now.addingTimeInterval(Double(maxDaysAhead) * 86400)
            if startedAt > latest {
                return "sidecar field started_at \(Timestamp.format(startedAt)) is more than \(maxDaysAhead) days ahead of this machine's clock (\(Timestamp.format(now))); fix the time in the sidecar and put the pair back in incoming/"
            }
            return nil
        }
    }

    /// The first key that appears twice in one object, at any depth (JSONSerialization keeps the last silently).
    static func duplicateKey(in data: Data) -> String? {
        // Keys compared as Swift Strings: "é" and "e\u{301}" are two keys to JSON but one to a
        // dictionary, where one value would silently replace the other; refused as a repeated key.
        enum Container { case array, object(keys: Set<String>, expectingKey: Bool) }
        var stack: [Container] = []
        let bytes = [UInt8](data)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "{"): stack.append(.object(keys: [], expectingKey: true))
            case UInt8(ascii: "["): stack.append(.array)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ","):
                if case .object(let keys, _) = stack.last { stack[stack.count - 1] = .object(keys: keys, expectingKey: true) }
            case UInt8(ascii: "\""):
                let start = i
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
                }
                if case .object(var keys, true) = stack.last {
                    let raw = Data(bytes[start...min(i, bytes.count - 1)])
                    let key = (try? JSONDecoder().decode(String.self, from: raw)) ?? String(decoding: raw, as: UTF8.self)
                    if !keys.insert(key).inserted { return key }
                    stack[stack.count - 1] = .object(keys: keys, expectingKey: false)
                }
            default: break
            }
            i += 1
        }
        return nil
    }

    /// Maximum nesting of arrays and objects, counted without parsing (strings skipped).
    static func depth(of data: Data) -> Int {
        var depth = 0, maxDepth = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; maxDepth = max(maxDepth, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return maxDepth
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}

/// A sidecar problem, as one sentence for `failed/STEM.error.json`.
public struct SidecarError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
