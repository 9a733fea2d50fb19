/// The one place the version lives: `dio-trace --version`, the man page and the Debian package
/// (`scripts/package.sh` asks the built binary) all read it from here.
enum DIOTraceVersion {
    static let current = "0.1.0"
}
