import Testing
@testable import SkpKit

@Suite struct SelectorTests {
    func names(_ text: String) throws -> [String] {
        let inventory = try Fixture.inventory(hosts: Fixture.fiveHosts)
        return try SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(text))
            .hosts(in: inventory).map(\.name)
    }

    @Test(arguments: [
        ("all", ["c01", "c02", "c03", "c04", "c05"]),
        ("c03", ["c03"]),
        ("role:manager", ["c01", "c02", "c03"]),
        ("label:web", ["c02", "c04"]),          // c01 has web disabled
        ("label:zone=a", ["c05"]),
        ("label:web=disable", ["c01"]),
        ("c05, c01", ["c01", "c05"]),          // union keeps inventory order
        ("role:manager | role:worker & label:zone=b", ["c01", "c02", "c03", "c04"]),
        ("role:manager & label:web", ["c02"]),
        ("role:manager & !role:master", ["c02", "c03"]),
        ("!role:manager", ["c04", "c05"]),
        ("one(role:worker)", ["c04"]),
        ("one(role:manager & !c01)", ["c02"]),
        ("(c01, c02) & !c02", ["c01"]),
        ("role:nothing-here & all", []),
    ] as [(String, [String])])
    func resolves(selector: String, expected: [String]) throws {
        if selector.contains("nothing-here") {
            #expect(Fixture.diagnostic { _ = try self.names(selector) }?.message == "no host has role nothing-here")
        } else {
            #expect(try names(selector) == expected)
        }
    }

    @Test func unknownHostSuggestsTheClosestName() {
        let d = Fixture.diagnostic { _ = try self.names("role:manager,c6") }
        #expect(d?.message.hasPrefix("no host named c6") == true)
        #expect(d?.location?.column == 13)
    }

    @Test func mistypedRoleIsAnErrorNotAnEmptySet() {
        let d = Fixture.diagnostic { _ = try self.names("role:manger") }
        #expect(d?.hint == "did you mean role:manager?")
    }

    @Test func malformedSelectorsAreRejected() {
        #expect(Fixture.diagnostic { _ = try self.names("role:manager &") } != nil)
        #expect(Fixture.diagnostic { _ = try self.names("host:c01") }?.message.contains("unknown selector kind") == true)
        #expect(Fixture.diagnostic { _ = try self.names("one role:master") } != nil)
    }
}
