import HummingbirdBcrypt

/// bcrypt hashes for tests' web configuration files, as `htpasswd -B` would write them.
package enum Passwords {
    /// The bcrypt hash of `password` (cost 4: tests need not be slow).
    package static func bcrypt(_ password: String) -> String { Bcrypt.hash(password, cost: 4) }
}
