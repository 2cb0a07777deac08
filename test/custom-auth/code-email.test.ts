/**
 * The custom-auth code email through the messaging layer: the repository's `custom-auth-code`
 * templates (HTML and text, the user's locale) by default; the plain-text
 * CUSTOM_AUTH_EMAIL_SUBJECT / CUSTOM_AUTH_EMAIL_BODY override exactly as before when set.
 */
import { loadCreateAuthConfig } from "../../shared/custom-auth/config";
import { renderCodeEmail } from "../../shared/custom-auth/templates";

const values = (attributes: Record<string, string>) => ({
  code: "424242",
  minutes: 3,
  userName: "jane",
  attributes,
});

describe("the custom-auth code email", () => {
  test("by default: the repository's template, HTML and text, in the user's locale", () => {
    // Prepare
    const config = loadCreateAuthConfig({ LOCAL_MODE: "true" });

    // Act
    const en = renderCodeEmail(config.template, config.messages, values({}));
    const fr = renderCodeEmail(config.template, config.messages, values({ locale: "fr-CA" }));

    // Assess
    expect(en.subject).toBe("Your sign-in code");
    expect(en.text).toContain("Your sign-in code is 424242. It expires in 3 minutes.");
    expect(en.html).toContain("<strong>424242</strong>");
    expect(fr.subject).toBe("Votre code de connexion");
    expect(fr.text).toContain("Il expire dans 3 minutes.");
  });

  test("CUSTOM_AUTH_EMAIL_SUBJECT or _BODY set: that plain-text template, no HTML", () => {
    // Prepare
    const config = loadCreateAuthConfig({
      LOCAL_MODE: "true",
      CUSTOM_AUTH_EMAIL_BODY: "Code {code}, {minutes} min",
    });

    // Act
    const email = renderCodeEmail(config.template, config.messages, values({ locale: "fr" }));

    // Assess
    expect(config.messages).toBeUndefined();
    expect(email).toEqual({ subject: "Your sign-in code", text: "Code 424242, 3 min" });
  });

  test("a given_name cannot reach the code email's HTML unescaped", () => {
    // Prepare
    const config = loadCreateAuthConfig({ LOCAL_MODE: "true" });

    // Act
    const email = renderCodeEmail(
      config.template,
      config.messages,
      values({ given_name: "<img src=x>" }),
    );

    // Assess: the shipped template does not greet by name; nothing of the value appears raw.
    expect(email.html).not.toContain("<img");
  });
});
