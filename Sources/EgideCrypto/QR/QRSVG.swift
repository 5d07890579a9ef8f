/// SVG rendering of a `QRCode`.
///
/// Output shape (one line, no external references, no script, no style sheet):
///
///     <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 W W" shape-rendering="crispEdges">
///     <rect width="W" height="W" fill="#fff"/><path fill="#000" d="M4,4h7v1h-7z…"/></svg>
///
/// One user unit = one module; `W = size + 8` (4-module quiet zone on every
/// side). Each horizontal run of dark modules is one closed sub-path. The
/// `xmlns` value is a namespace name, not something a renderer fetches.
extension QRCode {
    /// Width of the light border required by the standard, in modules.
    public static let quietZone = 4

    /// The symbol as a standalone SVG document.
    /// - Parameter pixelsPerModule: when given, adds `width`/`height` attributes
    ///   of `(size + 8) × pixelsPerModule`; otherwise the image scales to its container.
    public func svg(pixelsPerModule: Int? = nil) -> String {
        let extent = size + 2 * Self.quietZone
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                let start = x
                while x < size && isDark(x: x, y: y) { x += 1 }
                let run = x - start
                path += "M\(start + Self.quietZone),\(y + Self.quietZone)h\(run)v1h-\(run)z"
            }
        }
        var dimensions = ""
        if let pixelsPerModule, pixelsPerModule > 0 {
            let pixels = extent * pixelsPerModule
            dimensions = " width=\"\(pixels)\" height=\"\(pixels)\""
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(extent) \(extent)\"\(dimensions)"
            + " shape-rendering=\"crispEdges\">"
            + "<rect width=\"\(extent)\" height=\"\(extent)\" fill=\"#fff\"/>"
            + "<path fill=\"#000\" d=\"\(path)\"/></svg>"
    }
}
