public import NIOSSL

extension ClientTLSConfiguration {
    /// Whether the job sets anything under `tls_config`.
    public var isEmpty: Bool { self == ClientTLSConfiguration() }

    /// The TLS settings for AsyncHTTPClient: CA bundle, client certificate and key, minimum version,
    /// and verification. Files are read now, so a missing or malformed file fails the (re)load.
    ///
    /// `server_name` cannot be passed to the TLS handler through AsyncHTTPClient (it always verifies
    /// the URL's host), so with `server_name` set the certificate chain is verified against the CA
    /// but the host name is not checked.
    /// - Parameter path: the field path for error messages, e.g. `scrape_configs[0].tls_config`.
    /// - Throws: ``ConfigError`` naming the file that cannot be read.
    public func makeTLSConfiguration(path: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) } catch {
                throw ConfigError(path: "\(path).ca_file", "cannot load CA certificate \(caFile): \(error)")
            }
        }
        if let certFile, let keyFile {
            do { tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) } } catch {
                throw ConfigError(path: "\(path).cert_file", "cannot load client certificate \(certFile): \(error)")
            }
            do { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)) } catch {
                throw ConfigError(path: "\(path).key_file", "cannot load client key \(keyFile): \(error)")
            }
        }
        switch minVersion {
        case "TLS10": tls.minimumTLSVersion = .tlsv1
        case "TLS11": tls.minimumTLSVersion = .tlsv11
        case "TLS13": tls.minimumTLSVersion = .tlsv13
        default: tls.minimumTLSVersion = .tlsv12
        }
        if insecureSkipVerify {
            tls.certificateVerification = .none
        } else if serverName != nil {
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }
}
