import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
import Synchronization
#endif

/// AES-256-GCM with a 12-byte random nonce and a 16-byte tag, sealed as
/// `nonce ‖ ciphertext ‖ tag`, by one of two implementations that read and write the same bytes:
///
/// * `libcrypto` (Linux): the system's OpenSSL 3, loaded at run time (`LibCrypto`). Cipher
///   contexts are keyed once per data key and reused, so an operation only sets its nonce: the
///   key schedule and the GHASH key are not recomputed each time. Nonces come from OpenSSL's
///   `RAND_bytes` (its CSPRNG), drawn 64 at a time per context because one `RAND_bytes` call costs
///   more than sealing a short value; a buffered nonce is handed out once, and buffers filled
///   before a `fork` are discarded in the child.
/// * `swiftCrypto`: swift-crypto's one-shot `AES.GCM`, used when libcrypto cannot be loaded, lacks
///   a symbol, or does not agree with swift-crypto in the check made once per process.
enum AESGCMEngine: Sendable {
    #if canImport(Glibc)
    case libcrypto(LibCrypto)
    #endif
    case swiftCrypto

    static let nonceLength = 12
    static let tagLength = 16
    /// Bytes a sealed value has beyond its plaintext.
    static let overhead = nonceLength + tagLength

    /// libcrypto when it loads and passes `agreesWithSwiftCrypto()`, swift-crypto otherwise.
    static let preferred: AESGCMEngine = {
        #if canImport(Glibc)
        if let library = LibCrypto.shared, AESGCMEngine.libcrypto(library).agreesWithSwiftCrypto() {
            return .libcrypto(library)
        }
        #endif
        return .swiftCrypto
    }()

    /// For `egide bench` and `egide doctor`.
    var name: String {
        switch self {
        #if canImport(Glibc)
        case .libcrypto(let library): "libcrypto (\(library.version))"
        #endif
        case .swiftCrypto: "swift-crypto"
        }
    }

    /// Whether this engine opens what swift-crypto seals, swift-crypto opens what it seals, and it
    /// rejects an altered tag: checked once before libcrypto is trusted with data.
    func agreesWithSwiftCrypto() -> Bool {
        let key = AESGCMKey(SymmetricKey(data: (0..<32).map { UInt8($0) }))
        let plaintext = (0..<77).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let aad = Array("egide AES-GCM engine check".utf8)
        var sealed = [UInt8](repeating: 0, count: plaintext.count + Self.overhead)
        var opened = [UInt8](repeating: 0, count: plaintext.count)
        let sealedHere = plaintext.withUnsafeBytes { input in
            aad.withUnsafeBytes { key.seal(input, authenticating: $0, into: &sealed, engine: self) }
        }
        guard sealedHere, let box = try? AES.GCM.SealedBox(combined: sealed),
              (try? AES.GCM.open(box, using: key.key, authenticating: aad)).map(Array.init) == plaintext,
              let reference = (try? AES.GCM.seal(plaintext, using: key.key, authenticating: aad))?.combined
        else { return false }
        var tampered = Array(reference)
        tampered[tampered.count - 1] ^= 1
        return open(reference, aad: aad, into: &opened, with: key) && opened == plaintext
            && !open(tampered, aad: aad, into: &opened, with: key)
    }

    private func open(_ sealed: some DataProtocol, aad: [UInt8], into output: inout [UInt8], with key: AESGCMKey) -> Bool {
        Array(sealed).withUnsafeBytes { input in
            aad.withUnsafeBytes { key.open(input, authenticating: $0, into: &output, engine: self) }
        }
    }
}

/// One data key's AES-GCM state: the key and, for the libcrypto engine, the cipher contexts keyed
/// with it. The contexts (and the key schedules inside them, which OpenSSL wipes) are freed when the
/// key goes away, e.g. when it is removed from the ring or shredded.
final class AESGCMKey: Sendable {
    let key: SymmetricKey
    #if canImport(Glibc)
    private let sealers = ContextPool()
    private let openers = ContextPool()
    #endif

    init(_ key: SymmetricKey) {
        self.key = key
    }

    /// Seals `plaintext` into `output`, which must be exactly `plaintext.count + overhead` bytes:
    /// `nonce ‖ ciphertext ‖ tag`. False only if the implementation fails.
    func seal(_ plaintext: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer,
              into output: UnsafeMutableRawBufferPointer, engine: AESGCMEngine) -> Bool {
        precondition(output.count == plaintext.count + AESGCMEngine.overhead)
        switch engine {
        #if canImport(Glibc)
        case .libcrypto(let library):
            return seal(plaintext, authenticating: aad, into: output, library: library)
        #endif
        case .swiftCrypto:
            guard let box = try? AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(), authenticating: aad),
                  let combined = box.combined, combined.count == output.count
            else { return false }
            output.copyBytes(from: combined)
            return true
        }
    }

    /// Opens `nonce ‖ ciphertext ‖ tag` into `output`, which must be exactly `sealed.count - overhead`
    /// bytes. False if the value is too short or does not authenticate (`output` is then zeroed).
    func open(_ sealed: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer,
              into output: UnsafeMutableRawBufferPointer, engine: AESGCMEngine) -> Bool {
        guard sealed.count >= AESGCMEngine.overhead else { return false }
        precondition(output.count == sealed.count - AESGCMEngine.overhead)
        let opened: Bool
        switch engine {
        #if canImport(Glibc)
        case .libcrypto(let library):
            opened = open(sealed, authenticating: aad, into: output, library: library)
        #endif
        case .swiftCrypto:
            if let box = try? AES.GCM.SealedBox(combined: sealed),
               let plaintext = try? AES.GCM.open(box, using: key, authenticating: aad), plaintext.count == output.count {
                output.copyBytes(from: plaintext)
                opened = true
            } else {
                opened = false
            }
        }
        if !opened { output.initializeMemory(as: UInt8.self, repeating: 0) }
        return opened
    }

    #if canImport(Glibc)
    private func seal(_ plaintext: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer,
                      into output: UnsafeMutableRawBufferPointer, library: LibCrypto) -> Bool {
        guard var slot = sealers.take() ?? makeSlot(library, sealing: true) else { return false }
        let nonce = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let ciphertext = nonce + AESGCMEngine.nonceLength
        let tag = ciphertext + plaintext.count
        slot.drawNonce(into: nonce, library: library)
        var length: Int32 = 0
        let sealed = library.encryptInit(slot.context, nil, nil, nil, nonce) == 1
            && Self.feed(aad, to: library.encryptUpdate, of: slot.context, into: nil)
            && Self.feed(plaintext, to: library.encryptUpdate, of: slot.context, into: ciphertext)
            && library.encryptFinal(slot.context, tag, &length) == 1 && length == 0
            && library.control(slot.context, LibCrypto.controlGCMGetTag, Int32(AESGCMEngine.tagLength), tag) == 1
        sealers.giveBack(slot, healthy: sealed)
        return sealed
    }

    private func open(_ sealed: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer,
                      into output: UnsafeMutableRawBufferPointer, library: LibCrypto) -> Bool {
        guard let slot = openers.take() ?? makeSlot(library, sealing: false) else { return false }
        let nonce = sealed.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let ciphertext = UnsafeRawBufferPointer(start: nonce + AESGCMEngine.nonceLength, count: output.count)
        let tag = UnsafeMutableRawPointer(mutating: nonce + AESGCMEngine.nonceLength + output.count)
        let opened = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: AESGCMEngine.tagLength) { scratch in
            var length: Int32 = 0
            return library.decryptInit(slot.context, nil, nil, nil, nonce) == 1
                && library.control(slot.context, LibCrypto.controlGCMSetTag, Int32(AESGCMEngine.tagLength), tag) == 1
                && Self.feed(aad, to: library.decryptUpdate, of: slot.context, into: nil)
                && Self.feed(ciphertext, to: library.decryptUpdate, of: slot.context,
                             into: output.baseAddress?.assumingMemoryBound(to: UInt8.self))
                && library.decryptFinal(slot.context, scratch.baseAddress, &length) == 1 && length == 0
        }
        openers.giveBack(slot, healthy: opened)
        return opened
    }

    /// Passes `input` through an `EVP_*Update` in pieces that fit its `int` length: associated
    /// data when `output` is nil, text otherwise (GCM writes exactly as many bytes as it reads).
    private static func feed(_ input: UnsafeRawBufferPointer, to update: LibCrypto.Update, of context: OpaquePointer,
                             into output: UnsafeMutablePointer<UInt8>?) -> Bool {
        guard var source = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        var target = output
        var remaining = input.count
        while remaining > 0 {
            let piece = min(remaining, 1 << 30)
            var written: Int32 = 0
            guard update(context, target, &written, source, Int32(piece)) == 1, target == nil || written == piece else {
                return false
            }
            source += piece
            target = target.map { $0 + piece }
            remaining -= piece
        }
        return true
    }

    /// A context keyed with this key (the expensive step, done once per context).
    private func makeSlot(_ library: LibCrypto, sealing: Bool) -> ContextPool.Slot? {
        guard let context = library.newContext() else { return nil }
        let initialise = sealing ? library.encryptInit : library.decryptInit
        let keyed = key.withUnsafeBytes { material in
            initialise(context, library.aes256GCM, nil, material.baseAddress!.assumingMemoryBound(to: UInt8.self), nil) == 1
        }
        guard keyed else {
            library.freeContext(context)
            return nil
        }
        return ContextPool.Slot(context: context, free: library.freeContext, sealing: sealing)
    }
    #endif
}

private extension AESGCMKey {
    func seal(_ plaintext: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer,
              into output: inout [UInt8], engine: AESGCMEngine) -> Bool {
        output.withUnsafeMutableBytes { seal(plaintext, authenticating: aad, into: $0, engine: engine) }
    }

    func open(_ sealed: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer,
              into output: inout [UInt8], engine: AESGCMEngine) -> Bool {
        output.withUnsafeMutableBytes { open(sealed, authenticating: aad, into: $0, engine: engine) }
    }
}

#if canImport(Glibc)
/// Keyed cipher contexts not in use. A context serves one operation at a time (OpenSSL contexts are
/// not thread-safe): take one, use it, give it back.
private final class ContextPool: Sendable {
    /// A keyed context and, for sealing, its batch of unused nonces. Owned by one thread at a time.
    struct Slot: @unchecked Sendable {
        static let nonceBatch = 64

        let context: OpaquePointer
        let free: LibCrypto.FreeContext
        /// `nonceBatch` nonces from `RAND_bytes` (sealing contexts only).
        let nonces: UnsafeMutablePointer<UInt8>?
        /// Index of the next unused nonce; `nonceBatch` when none is left.
        var nextNonce = Slot.nonceBatch
        /// `LibCrypto.forkGeneration` when `nonces` was filled.
        var generation: UInt = 0

        init(context: OpaquePointer, free: @escaping LibCrypto.FreeContext, sealing: Bool) {
            self.context = context
            self.free = free
            nonces = sealing ? .allocate(capacity: Self.nonceBatch * AESGCMEngine.nonceLength) : nil
        }

        /// Copies a never-used random nonce to `target`, refilling the batch when it is spent or was
        /// filled before a fork (the child must not reuse its parent's nonces).
        mutating func drawNonce(into target: UnsafeMutablePointer<UInt8>, library: LibCrypto) {
            let nonces = nonces!
            let currentGeneration = LibCrypto.forkGeneration.load(ordering: .relaxed)
            if nextNonce == Self.nonceBatch || generation != currentGeneration {
                let byteCount = Self.nonceBatch * AESGCMEngine.nonceLength
                if library.randomBytes(nonces, Int32(byteCount)) != 1 {
                    var generator = SystemRandomNumberGenerator()
                    for offset in stride(from: 0, to: byteCount, by: 8) {
                        UnsafeMutableRawPointer(nonces).storeBytes(of: generator.next(), toByteOffset: offset, as: UInt64.self)
                    }
                }
                nextNonce = 0
                generation = currentGeneration
            }
            let nonce = nonces + nextNonce * AESGCMEngine.nonceLength
            target.update(from: nonce, count: AESGCMEngine.nonceLength)
            nonce.update(repeating: 0, count: AESGCMEngine.nonceLength)
            nextNonce += 1
        }

        func release() {
            free(context)
            nonces?.deallocate()
        }
    }

    /// Idle contexts kept beyond this many are freed.
    static let capacity = 16
    private let idle = Mutex<[Slot]>([])

    func take() -> Slot? {
        idle.withLock { $0.popLast() }
    }

    /// Keeps `slot` for the next operation, unless it failed (its state is then unknown) or the pool is full.
    func giveBack(_ slot: Slot, healthy: Bool) {
        let kept = healthy && idle.withLock { slots in
            guard slots.count < Self.capacity else { return false }
            slots.append(slot)
            return true
        }
        if !kept { slot.release() }
    }

    deinit {
        idle.withLock { slots in
            slots.forEach { $0.release() }
            slots.removeAll()
        }
    }
}
#endif
