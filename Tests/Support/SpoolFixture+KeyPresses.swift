import Foundation

extension SpoolFixture {
    /// Writes `incoming/STEM.wav`: the real speech fixture with four 100 ms DTMF key presses
    /// (1, 5, 9, D: one per row of the keypad) mixed over it from 8 s, as a caller typing card
    /// digits while the agent talks. No sidecar: the test writes its own. The first 8 s stay in
    /// `ROOT/a.wav` (the unmasked reference the PCI test compares levels with).
    package func addSpeechWithKeyPresses(stem: String) throws {
        let script = """
        cd '\(root.path)'
        sox '\(Support.fixture("speech.wav"))' -b 16 a.wav trim 0 8
        sox '\(Support.fixture("speech.wav"))' -b 16 b.wav trim 8
        for f in "697 1209" "770 1336" "852 1477" "941 1633"; do set -- $f
          sox -n -r 8000 -c 1 -b 16 k_$1.wav synth 0.1 sine $1 sine $2 channels 2 remix 1v0.4,2v0.3 pad 0 0.1
        done
        sox k_697.wav k_770.wav k_852.wav k_941.wav keys.wav
        sox -m -v 1 b.wav -v 1 keys.wav c.wav
        sox a.wav c.wav '\(incoming)/\(stem).wav'
        """
        let gen = try Support.run("/bin/bash", ["-euo", "pipefail", "-c", script])
        try Support.require(gen.status == 0, gen.stderr)
    }
}
