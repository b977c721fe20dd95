import CallVaultCore
import Foundation

/// The small values a ``CallRecord`` is built from and that the ingest steps set as a unit.
extension CallRecord {
    /// The caller's and the tracking number as read (``NumberReading``): stored form, as written,
    /// whether the caller's is a valid E.164 number, and where a valid caller's number is from.
    public struct Numbers: Sendable, Equatable {
        public var caller: String?
        public var callerRaw: String?
        /// nil when the sidecar gave no caller (withheld).
        public var callerValid: Bool?
        public var trackingNumber: String
        public var trackingNumberRaw: String
        public var geography: PhoneGeography

        public init(caller: String?, callerRaw: String?, callerValid: Bool?, trackingNumber: String,
                    trackingNumberRaw: String, geography: PhoneGeography = PhoneGeography()) {
            self.caller = caller
            self.callerRaw = callerRaw
            self.callerValid = callerValid
            self.trackingNumber = trackingNumber
            self.trackingNumberRaw = trackingNumberRaw
            self.geography = geography
        }
    }

    /// The Opus file in the archive: its path under the archive root, SHA-256 and size as stored,
    /// and the SHA-256 of the Opus plaintext (the same unless the file is encrypted).
    public struct ArchiveFile: Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var bytes: Int
        public var opusSha256: String
        public init(path: String, sha256: String, bytes: Int, opusSha256: String? = nil) {
            self.path = path
            self.sha256 = sha256
            self.bytes = bytes
            self.opusSha256 = opusSha256 ?? sha256
        }
    }

    /// The recording the call was archived from: its name in `incoming/`, SHA-256 and size.
    public struct SourceFile: Sendable, Equatable {
        public var name: String
        public var sha256: String
        public var bytes: Int
        public init(name: String, sha256: String, bytes: Int) {
            self.name = name
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    /// The registry row a call is attributed to (``Registry``), or none.
    public struct Attribution: Sendable, Equatable {
        public var campaign: String?
        public var source: String?
        public var medium: String?
        public var registryID: Int64?
        public static let none = Attribution(campaign: nil, source: nil, medium: nil, registryID: nil)
        public init(campaign: String?, source: String?, medium: String?, registryID: Int64?) {
            self.campaign = campaign
            self.source = source
            self.medium = medium
            self.registryID = registryID
        }
    }

    /// How long the call is kept and under which rule (``RetentionStamp``); nil dates: not stamped yet.
    public struct RetentionDates: Sendable, Equatable {
        public var audioUntil: Date?
        public var recordUntil: Date?
        public var rule: String?
        public init(audioUntil: Date?, recordUntil: Date?, rule: String?) {
            self.audioUntil = audioUntil
            self.recordUntil = recordUntil
            self.rule = rule
        }
    }

    public var attribution: Attribution {
        get { Attribution(campaign: campaign, source: source, medium: medium, registryID: registryID) }
        set { (campaign, source, medium, registryID) = (newValue.campaign, newValue.source, newValue.medium, newValue.registryID) }
    }

    public var retention: RetentionDates {
        get { RetentionDates(audioUntil: retainAudioUntil, recordUntil: retainRecordUntil, rule: retentionRule) }
        set { (retainAudioUntil, retainRecordUntil, retentionRule) = (newValue.audioUntil, newValue.recordUntil, newValue.rule) }
    }

    public var geography: PhoneGeography {
        get { PhoneGeography(areaCode: callerAreaCode, region: callerRegion, place: callerPlace, country: callerCountry) }
        set { (callerAreaCode, callerRegion, callerPlace, callerCountry) = (newValue.areaCode, newValue.region, newValue.place, newValue.country) }
    }
}
