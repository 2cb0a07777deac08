/**
 * docs/local-stack.md shows the demo's output as a user sees it: every `== ` step it shows is
 * one scripts/demo.ts prints, and the block only a demo-started stack prints is said to be so.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const doc = readFileSync(join(ROOT, "docs/local-stack.md"), "utf8");
const demo = readFileSync(join(ROOT, "scripts/demo.ts"), "utf8");

/** The fenced block after "Abridged output", and the prose just before it. */
function abridged(): { prose: string; block: string } {
  const at = doc.indexOf("Abridged output");
  expect(at).toBeGreaterThan(-1);
  const open = doc.indexOf("```", at);
  const close = doc.indexOf("```", open + 3);
  return { prose: doc.slice(at, open), block: doc.slice(open + 3, close) };
}

describe("docs/local-stack.md demo output", () => {
  it("every step heading shown is one the demo prints", () => {
    const headings = abridged()
      .block.split("\n")
      .filter((line) => line.startsWith("== "))
      .map((line) => line.slice(3));
    expect(headings.length).toBeGreaterThan(3);
    // The demo's step titles, interpolations as wildcards.
    const titles = [...demo.matchAll(/step\(\s*(["`])(.*?)\1,?\s*\)/gs)].map(
      (m) =>
        new RegExp(
          `^${(m[2] as string)
            .split(/\$\{[^}]*\}/)
            .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
        ),
    );
    expect(titles.length).toBeGreaterThan(3);
    for (const heading of headings) {
      expect(
        titles.some((title) => title.test(heading)) ? heading : `not printed: ${heading}`,
      ).toBe(heading);
    }
  });

  it("the invocation counts are shown as printed only when the demo started its own stack", () => {
    const { prose, block } = abridged();
    expect(block).toContain("== Functions serverless-offline ran");
    expect(prose).toMatch(/appears only then/);
    expect(prose).toContain("npm run dev");
    // And the demo prints where to look instead when attached to `npm run dev`'s stack.
    expect(demo).toContain("DEV_VERBOSE=true to see them");
  });
});
