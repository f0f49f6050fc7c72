#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import GatewayPlugin
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// Binds the listening socket and sets up each accepted connection's pipeline:
/// `[TLS] → HTTP request decoder → ConnectionHandler` for HTTP/1.1, or HTTP/2's handlers
/// (``HTTP2Setup``) when ALPN chose `h2` or a plain connection opens with HTTP/2's preface.
enum HTTPListener {
    /// Binds `address` and starts accepting. Fails with ``GatewayServerError`` when it cannot.
    static func bind(
        address: ListenAddress, group: any EventLoopGroup, clientBuffer: Int, tls: NIOSSLContext?, server: ServerContext
    ) async throws -> any Channel {
        let budget = server.connections
        let shares = ClientBuffer(clientBuffer: clientBuffer)
        let bootstrap = ServerBootstrap(group: group)
            // Thousands of clients reconnect at once after a restart: a deep accept queue, and many
            // accepts per wake-up (NIO's default is 4), so connecting does not wait on fan-out drains.
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.maxMessagesPerRead, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: true) { _ in AcceptErrorHandler.backoff })
                    try pipeline.addHandler(AcceptErrorHandler(budget: budget))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // `client_buffer` shared between the channel's queue and the kernel's send buffer
            // (which autotuning would otherwise grow to megabytes per stalled client).
            .childChannelOption(.writeBufferWaterMark, value: .init(low: shares.lowWaterMark, high: shares.highWaterMark))
            .childChannelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(shares.kernelSendBuffer))
            // Clients send a request head and then nothing: small receive buffers keep idle streams cheap.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 65536))
            .childChannelInitializer { channel in
                // Over the budget: refused before a byte is read (NIO closes a channel whose
                // initializer fails); in the overflow: served one answer.
                let admission = budget.admit()
                guard admission != .refused else { return channel.eventLoop.makeFailedFuture(ConnectionRefused()) }
                channel.closeFuture.whenComplete { _ in budget.release(admission) }
                return channel.eventLoop.makeCompletedFuture {
                    try addHandlers(to: channel.pipeline.syncOperations, server: server, tls: tls, isOverflow: admission == .overflow)
                }
            }
        do {
            return try await bootstrap.bind(host: address.host, port: address.port).get()
        } catch {
            throw GatewayServerError.cannotListen(address: address.description, reason: Self.describe(error))
        }
    }

    /// One connection's handlers (see the type). The listener's, and the request fuzzer's and
    /// tests' on an `EmbeddedChannel`.
    static func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations, server: ServerContext, tls: NIOSSLContext?, isOverflow: Bool
    ) throws {
        if let tls {
            try pipeline.addHandler(NIOSSLServerHandler(context: tls))
            if let http2 = server.http2 {
                try pipeline.addHandler(
                    ApplicationProtocolNegotiationHandler { result, channel in
                        channel.eventLoop.makeCompletedFuture {
                            let pipeline = channel.pipeline.syncOperations
                            if case .negotiated("h2") = result {
                                try HTTP2Setup.configure(pipeline, channel: channel, server: server, connections: http2, isOverflow: isOverflow)
                            } else {
                                try addHTTP1Handlers(to: pipeline, server: server, isOverflow: isOverflow)
                            }
                        }
                    })
                return
            }
        }
        let http1 = try addHTTP1Handlers(to: pipeline, server: server, isOverflow: isOverflow)
        if tls == nil, let http2 = server.http2 {
            let sniffer = PriorKnowledgeSniffer(http1Handlers: http1) { channel, pipeline, position in
                try HTTP2Setup.configure(
                    pipeline, channel: channel, server: server, connections: http2, isOverflow: isOverflow, position: position)
            }
            try pipeline.addHandler(sniffer, position: .first)
        }
    }

    /// `HTTP request decoder → ConnectionHandler`; returns them.
    @discardableResult
    private static func addHTTP1Handlers(
        to pipeline: ChannelPipeline.SynchronousOperations, server: ServerContext, isOverflow: Bool
    ) throws -> [any RemovableChannelHandler] {
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
        let handler = ConnectionHandler(server: server, decoder: decoder, isOverflow: isOverflow)
        try pipeline.addHandler(decoder)
        try pipeline.addHandler(handler)
        return [decoder, handler]
    }

    /// An NIOSSL context from the configured PEM files; offering HTTP/2 by ALPN when `http2`.
    static func makeTLSContext(_ tls: TLSFiles, http2: Bool) throws -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.applicationProtocols = http2 ? ["h2", "http/1.1"] : ["http/1.1"]
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw GatewayServerError.tls(reason: "\(error)")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let ioError = error as? IOError {
            return String(cString: strerror(ioError.errnoCode)).lowercased()
        }
        return "\(error)"
    }
}
