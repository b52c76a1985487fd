// The signed-in operator's session: the two-step sign-in of contract/frontend/Login.graphql,
// and an access token refreshed shortly before it expires with RefreshSession of
// contract/frontend/Session.graphql. Tokens stay in memory only.

import { graphqlRequest } from "./api.js";

const REFRESH_MARGIN_MS = 60 * 1000;

export class UserError extends Error {}

export class Session {
  constructor(loginDocument, sessionDocument) {
    this.loginDocument = loginDocument;
    this.sessionDocument = sessionDocument;
    this.tokens = null;
    this.language = "en";
  }

  get signedIn() {
    return this.tokens !== null;
  }

  // Step one: the password. Returns where the code was sent.
  async start(nationalId, password) {
    const data = await graphqlRequest(
      this.loginDocument,
      "StartLogin",
      { nationalId, password },
      { language: this.language },
    );
    const result = data.startLogin;
    if (result.errors.length) throw new UserError(result.errors[0].message);
    this.challengeId = result.challenge.id;
    return result.challenge.maskedDestination;
  }

  // Step two: the code from the SMS.
  async complete(code) {
    const data = await graphqlRequest(
      this.loginDocument,
      "CompleteLogin",
      { challengeId: this.challengeId, code },
      { language: this.language },
    );
    const result = data.completeLogin;
    if (result.errors.length) throw new UserError(result.errors[0].message);
    this.tokens = result.session;
  }

  async accessToken() {
    if (!this.tokens) throw new UserError("signed out");
    const expiresAt = Date.parse(this.tokens.expiresAt);
    if (expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      // A contract document: in production an anonymous caller may send it too.
      const data = await graphqlRequest(
        this.sessionDocument,
        "RefreshSession",
        { refreshToken: this.tokens.refreshToken },
        { language: this.language },
      );
      const result = data.refreshSession;
      if (result.errors.length) {
        this.tokens = null;
        throw new UserError(result.errors[0].message);
      }
      this.tokens = result.session;
    }
    return this.tokens.accessToken;
  }

  signOut() {
    this.tokens = null;
    this.challengeId = null;
  }
}
