#if canImport(Glibc)
import Glibc
import Synchronization

/// The few functions of the system's OpenSSL 3 `libcrypto.so.3` that `AESGCMEngine` calls, looked up
/// with `dlopen`/`dlsym` at run time: no headers at build time, no package dependency, and a machine
/// without OpenSSL simply gets `nil` (the engine then uses swift-crypto).
struct LibCrypto: @unchecked Sendable {
    typealias NewContext = @convention(c) () -> OpaquePointer?
    typealias FreeContext = @convention(c) (OpaquePointer?) -> Void
    typealias CipherFunction = @convention(c) () -> OpaquePointer?
    /// `EVP_EncryptInit_ex` / `EVP_DecryptInit_ex`(ctx, cipher, engine, key, iv).
    typealias Initialise = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?) -> Int32
    /// `EVP_EncryptUpdate` / `EVP_DecryptUpdate`(ctx, out, outl, in, inl).
    typealias Update = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?, UnsafePointer<UInt8>?, Int32) -> Int32
    /// `EVP_EncryptFinal_ex` / `EVP_DecryptFinal_ex`(ctx, out, outl).
    typealias Finish = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?) -> Int32
    /// `EVP_CIPHER_CTX_ctrl`(ctx, type, arg, ptr).
    typealias Control = @convention(c) (OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias RandomBytes = @convention(c) (UnsafeMutablePointer<UInt8>?, Int32) -> Int32
    typealias InitialiseLibrary = @convention(c) (UInt64, OpaquePointer?) -> Int32
    typealias Version = @convention(c) (Int32) -> UnsafePointer<CChar>?

    static let controlGCMGetTag: Int32 = 0x10
    static let controlGCMSetTag: Int32 = 0x11
    /// `OPENSSL_INIT_NO_ATEXIT`: no clean-up handler at `exit`, which could free OpenSSL's state
    /// under a thread still sealing.
    static let initialiseWithoutAtExit: UInt64 = 0x0008_0000

    var newContext: NewContext
    var freeContext: FreeContext
    /// `EVP_aes_256_gcm()`, fetched once.
    var aes256GCM: OpaquePointer
    var encryptInit: Initialise
    var decryptInit: Initialise
    var encryptUpdate: Update
    var decryptUpdate: Update
    var encryptFinal: Finish
    var decryptFinal: Finish
    var control: Control
    var randomBytes: RandomBytes
    /// `OpenSSL_version`, if present. (Only plain pointers are stored, so copies of this value cost
    /// no reference counting on the hot path.)
    var versionText: Version?

    /// e.g. "OpenSSL 3.0.13 30 Jan 2024".
    var version: String {
        versionText.flatMap { $0(0) }.map { String(cString: $0) } ?? "OpenSSL (libcrypto.so.3)"
    }

    /// The library, if `libcrypto.so.3` loads and has every symbol; looked up once per process.
    static let shared: LibCrypto? = load()

    /// Bumped in the child of every `fork`, so nonces buffered before the fork are never used twice.
    static let forkGeneration = Atomic<UInt>(0)

    static func load(path: String = "libcrypto.so.3") -> LibCrypto? {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
        func symbol<T>(_ name: String, as _: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: T.self) }
        }
        if let initialise = symbol("OPENSSL_init_crypto", as: InitialiseLibrary.self) {
            _ = initialise(initialiseWithoutAtExit, nil)
        }
        guard let newContext = symbol("EVP_CIPHER_CTX_new", as: NewContext.self),
              let freeContext = symbol("EVP_CIPHER_CTX_free", as: FreeContext.self),
              let cipher = symbol("EVP_aes_256_gcm", as: CipherFunction.self), let aes256GCM = cipher(),
              let encryptInit = symbol("EVP_EncryptInit_ex", as: Initialise.self),
              let decryptInit = symbol("EVP_DecryptInit_ex", as: Initialise.self),
              let encryptUpdate = symbol("EVP_EncryptUpdate", as: Update.self),
              let decryptUpdate = symbol("EVP_DecryptUpdate", as: Update.self),
              let encryptFinal = symbol("EVP_EncryptFinal_ex", as: Finish.self),
              let decryptFinal = symbol("EVP_DecryptFinal_ex", as: Finish.self),
              let control = symbol("EVP_CIPHER_CTX_ctrl", as: Control.self),
              let randomBytes = symbol("RAND_bytes", as: RandomBytes.self)
        else {
            dlclose(handle)
            return nil
        }
        _ = registerForkHandler
        return LibCrypto(newContext: newContext, freeContext: freeContext, aes256GCM: aes256GCM,
                         encryptInit: encryptInit, decryptInit: decryptInit, encryptUpdate: encryptUpdate,
                         decryptUpdate: decryptUpdate, encryptFinal: encryptFinal, decryptFinal: decryptFinal,
                         control: control, randomBytes: randomBytes, versionText: symbol("OpenSSL_version", as: Version.self))
    }

    /// Registered once, whichever `load` call comes first.
    private static let registerForkHandler: Void = {
        _ = forkGeneration.load(ordering: .relaxed)  // initialised here, never first inside a forked child
        pthread_atfork(nil, nil) { LibCrypto.forkGeneration.add(1, ordering: .relaxed) }
    }()
}
#endif
