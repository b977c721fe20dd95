import CallVaultAge

/// Reads an age identity file for a command that reads encrypted audio (`serve`, `export`,
/// `verify --decrypt`, `keys rotate`): refused, naming the file, unless only its owner can read it.
func loadIdentityFile(_ path: String) throws -> [AgeIdentity] {
    do {
        return try AgeFile.loadIdentities(path: path)  // its errors name the file
    } catch let error as AgeError {
        throw CLIError.input(error.message)
    }
}
