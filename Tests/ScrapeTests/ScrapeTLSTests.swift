import AsyncHTTPClient
import Foundation
import PromModel
import Testing

@testable import Scrape

#if canImport(Glibc)
import Glibc
#endif

/// Scraping over HTTPS with a job's `tls_config`: a private CA, a server certificate for the name
/// `scrape.test` and 127.0.0.1, and a server that requires a client certificate (mutual TLS). The
/// server is Python's `ssl` module; the certificates come from `openssl` at test time. Skips when either
/// tool is missing. About 5 s (a refused handshake can take until the scrape timeout).
@Suite(.serialized) struct ScrapeTLSTests {
    final class TLSServer {
        let dir: URL
        let port: Int
        let process = Process()

        init() throws {
            dir = try temporaryDirectory()
            let d = dir.path
            let steps: [[String]] = [
                ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout",
                 "\(d)/ca.key", "-out", "\(d)/ca.crt"],
                ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=scrape.test", "-keyout", "\(d)/server.key",
                 "-out", "\(d)/server.csr"],
                ["x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
                 "-CAcreateserial", "-days", "2", "-out", "\(d)/server.crt", "-extfile", "\(d)/san.cnf"],
                ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=hearth", "-keyout", "\(d)/client.key", "-out",
                 "\(d)/client.csr"],
                ["x509", "-req", "-in", "\(d)/client.csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
                 "-CAcreateserial", "-days", "2", "-out", "\(d)/client.crt"],
            ]
            try "subjectAltName=DNS:scrape.test,IP:127.0.0.1\n".write(
                toFile: "\(d)/san.cnf", atomically: true, encoding: .utf8)
            for args in steps {
                guard let result = try runTool("openssl", args), result.status == 0 else {
                    throw ScrapeError("openssl \(args.first!) failed")
                }
            }
            let script = """
                import http.server, ssl, sys
                class H(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        body = b"tls_metric 42\\n"
                        self.send_response(200)
                        self.send_header("Content-Type", "text/plain; version=0.0.4")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, *a): pass
                srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain("\(d)/server.crt", "\(d)/server.key")
                ctx.load_verify_locations("\(d)/ca.crt")
                ctx.verify_mode = ssl.CERT_REQUIRED
                srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
                open("\(d)/port", "w").write(str(srv.server_address[1]))
                srv.serve_forever()
                """
            try script.write(toFile: "\(d)/server.py", atomically: true, encoding: .utf8)
            let python = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
                .map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let python else { throw ScrapeError("python3 not found") }
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["\(d)/server.py"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var found: Int?
            for _ in 0..<200 where found == nil {
                found = (try? String(contentsOfFile: "\(d)/port", encoding: .utf8)).flatMap { Int($0) }
                if found == nil { usleep(50_000) }
            }
            guard let found else { throw ScrapeError("TLS test server did not start") }
            port = found
        }

        deinit {
            // SIGKILL: the test process may have SIGTERM ignored (service-lifecycle tests), and children inherit that.
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    static var toolsPresent: Bool {
        (try? runTool("openssl", ["version"]))??.status == 0 && (try? runTool("python3", ["--version"]))??.status == 0
    }

    /// Scrapes `https://<host>:<port>/metrics` once with the job's tls_config.
    func scrape(_ server: TLSServer, host: String = "127.0.0.1", tls: String) async throws -> TargetStatus {
        let config = try decodeConfig(
            """
            scrape_configs:
              - job_name: tls
                scheme: https
                scrape_interval: 5s
                scrape_timeout: 3s
                tls_config: \(tls)
                static_configs: [{targets: ["\(host):\(server.port)"]}]
            """)
        let job = config.scrapeConfigs[0]
        let settings = try ScrapeSettings(job)
        let target = try #require(try TargetBuilder(job: job).targets(of: job.staticConfigs[0]).first)
        let storage = MemoryAppendable()
        return try await HTTPClient.withHTTPClient(
            configuration: HTTPTargetFetcher.clientConfiguration(bodySizeLimit: 1 << 20)
        ) { client in
            let loop = ScrapeLoop(
                target: target, settings: settings, appendable: storage, fetcher: HTTPTargetFetcher(client: client))
            let status = await loop.scrapeOnce(at: Timestamp(ms: 1000))
            if status.health == .up {
                #expect(storage.at(1000)[Labels(["__name__": "tls_metric", "instance": "127.0.0.1:\(server.port)", "job": "tls"])] == 42)
            }
            return status
        }
    }

    @Test(.enabled(if: toolsPresent)) func mutualTLSWithPrivateCA() async throws {
        // openssl and the port wait block; a plain thread keeps the cooperative pool free for other tests.
        let server = try await withCheckedThrowingContinuation { (c: CheckedContinuation<TLSServer, any Error>) in
            Thread.detachNewThread { c.resume(with: Result { try TLSServer() }) }
        }
        let d = server.dir.path
        let client = "cert_file: \(d)/client.crt, key_file: \(d)/client.key"

        let ok = try await scrape(server, tls: "{ca_file: \(d)/ca.crt, \(client)}")
        #expect(ok.health == .up, "\(ok.lastError ?? "")")

        let named = try await scrape(server, tls: "{ca_file: \(d)/ca.crt, server_name: scrape.test, \(client)}")
        #expect(named.health == .up, "\(named.lastError ?? "")")

        let insecure = try await scrape(server, tls: "{insecure_skip_verify: true, \(client)}")
        #expect(insecure.health == .up, "\(insecure.lastError ?? "")")

        // The system trust store does not know the private CA.
        let unknownCA = try await scrape(server, tls: "{\(client)}")
        #expect(unknownCA.health == .down)

        // The server requires a client certificate.
        let noClientCert = try await scrape(server, tls: "{ca_file: \(d)/ca.crt}")
        #expect(noClientCert.health == .down)
    }

    @Test func missingCAFileIsAConfigErrorNamingTheField() throws {
        let config = try decodeConfig(
            """
            scrape_configs:
              - job_name: tls
                tls_config: {ca_file: /nonexistent/ca.crt}
                static_configs: [{targets: ["h:1"]}]
            """)
        #expect {
            try ScrapeManager.checkSupported(config)
        } throws: { error in
            (error as? ConfigError)?.path == "scrape_configs[0].tls_config.ca_file"
        }
    }
}
