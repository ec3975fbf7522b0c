extension String {
    /// The string followed by spaces up to `width` characters (never cut). Foundation's
    /// `padding(toLength:)` bridges to NSString each time: a 1,000-host plan pads 100,000 names.
    func padded(to width: Int) -> String {
        let count = self.count
        return count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
