/// EgideCrypto: the cryptography every module relies on, behind one small interface —
/// key ring and AEAD field encryption, blind indexes, password hashing, TOTP, the audit hash chain.
/// No Vapor, no Fluent: only swift-crypto and Foundation.
public enum EgideCrypto {}
