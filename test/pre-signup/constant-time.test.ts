/**
 * Invite codes are compared with crypto.timingSafeEqual against every digest,
 * with no early exit once a code matches.
 */
jest.mock("node:crypto", () => {
  const actual = jest.requireActual<typeof import("node:crypto")>("node:crypto");
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

import { timingSafeEqual } from "node:crypto";
import { hashInviteCode, inviteCodeMatches } from "../../shared/pre-signup/invite";

describe("inviteCodeMatches", () => {
  it("compares against every digest in constant time, even after a match", () => {
    // Prepare
    const digests = ["first", "second", "third"].map(hashInviteCode);
    const compare = jest.mocked(timingSafeEqual);
    compare.mockClear();
    // Act
    const matched = inviteCodeMatches("first", digests);
    // Assess
    expect(matched).toBe(true);
    expect(compare).toHaveBeenCalledTimes(3);
  });
});
