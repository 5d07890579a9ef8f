import Vapor

/// A form body that is not one a page of Egide could have sent (field names nested deeper than
/// any form uses, or a body the decoder cannot read): 400 with the "form could not be read" page,
/// never mistaken for an expired form, and nothing is changed.
struct UnreadableForm: Error {}

enum FormBody {
    /// No form of Egide nests field names more than this (`impact[answer]` is one level).
    static let maximumNesting = 8

    /// Refuses a URL-encoded body whose field names nest deeper than `maximumNesting` brackets,
    /// before a decoder walks them (a deeply nested name makes the decoder recurse once per level).
    /// - Throws: `UnreadableForm`.
    static func checkNesting(_ request: Request) throws {
        guard request.headers.contentType == .urlEncodedForm, let body = request.body.data else { return }
        var depth = 0, inName = true
        for byte in body.readableBytesView {
            switch byte {
            case UInt8(ascii: "&"): depth = 0; inName = true
            case UInt8(ascii: "="): inName = false
            case UInt8(ascii: "[") where inName:
                depth += 1
                if depth > maximumNesting { throw UnreadableForm() }
            default: break
            }
        }
    }

    /// The value of the text field `name`, `nil` when the form has no such field.
    /// - Throws: `UnreadableForm` when the body cannot be read as a form at all.
    static func field(_ name: String, of request: Request) throws -> String? {
        try checkNesting(request)
        do {
            return try request.content.get(String.self, at: name)
        } catch DecodingError.keyNotFound, DecodingError.valueNotFound {
            return nil
        } catch let error as DecodingError {
            // A field present but not text (an array, say) is no token; an unreadable body is another matter.
            if case .typeMismatch = error { return nil }
            throw UnreadableForm()
        } catch let abort as any AbortError {
            // No body, or not a form at all: no token was sent (the CSRF check answers); too large stays 413.
            if abort.status == .payloadTooLarge { throw abort }
            return nil
        } catch {
            throw UnreadableForm()
        }
    }
}
