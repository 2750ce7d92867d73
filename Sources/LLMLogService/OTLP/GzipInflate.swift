import CZlib
import NIOCore

/// Bounded gzip decompression of a request body (`Content-Encoding: gzip`).
///
/// The output never grows past `limit` bytes: inflation stops there and the caller answers 413, so a small
/// compressed body that expands without bound (a decompression bomb) costs at most `limit` bytes of memory.
enum GzipInflate {
    enum Failure: Error, Equatable {
        /// The decompressed body would be larger than the limit.
        case tooLarge
        /// Not a gzip stream, or a damaged or truncated one.
        case malformed
    }

    /// The decompressed bytes of `compressed` (one gzip member, as HTTP clients send), at most `limit` of them.
    static func inflate(_ compressed: ByteBuffer, limit: Int) throws(Failure) -> ByteBuffer {
        var input = Array(compressed.readableBytesView)
        if input.isEmpty { throw .malformed }
        var stream = z_stream()
        guard llmlog_inflate_init_gzip(&stream) == Z_OK else { throw .malformed }
        defer { inflateEnd(&stream) }
        var output = ByteBuffer()
        let chunkSize = 64 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var overLimit = false
        let result: Int32 = input.withUnsafeMutableBufferPointer { inputBytes in
            stream.next_in = inputBytes.baseAddress
            stream.avail_in = uInt(inputBytes.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { chunkBytes -> Int32 in
                    stream.next_out = chunkBytes.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                if produced > limit - output.readableBytes {  // past the limit: stop here
                    overLimit = true
                    return Z_DATA_ERROR
                }
                output.writeBytes(chunk[0..<produced])
                switch status {
                case Z_STREAM_END: return Z_STREAM_END
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0: return Z_BUF_ERROR  // truncated input
                default: return status
                }
            }
        }
        if overLimit { throw .tooLarge }
        guard result == Z_STREAM_END else { throw .malformed }
        return output
    }
}
